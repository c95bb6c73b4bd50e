# Sources of core/project, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    project/project.cpp
    project/project.h
    project/readablejson.cpp
    project/readablejson.h
)
