# Sources of core/evaluation, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
)
