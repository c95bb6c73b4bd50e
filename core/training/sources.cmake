# Sources of core/training, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
)
