# Sources of core/project, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
)
