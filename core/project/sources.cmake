# studio::project: the project file, its training settings and the settings schema of all
# sections.
studio_core_module(project
    SOURCES
        project/project.cpp
        project/project.h
        project/readablejson.cpp
        project/readablejson.h
        project/settingsschema.cpp
        project/settingsschema.h
        project/trainingschema.cpp
        project/trainingschema.h
        project/trainingsettings.h
    DEPENDS common dataset model
)
