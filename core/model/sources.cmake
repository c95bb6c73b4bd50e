# Sources of core/model, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
)
