# Sources of core/common, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    common/atomicfile.cpp
    common/atomicfile.h
    common/result.h
)
