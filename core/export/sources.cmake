# Sources of core/export, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
)
