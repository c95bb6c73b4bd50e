# Sources of core/project, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    project/project.cpp
    project/project.h
    project/readablejson.cpp
    project/readablejson.h
    project/settingsschema.cpp
    project/settingsschema.h
)
set_source_files_properties(project/settingsschema.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
