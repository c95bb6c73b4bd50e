# Sources of core/model, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    model/featureextractor.cpp
    model/featureextractor.h
    model/featureextractor_p.h
    model/jsonfields.cpp
    model/jsonfields.h
    model/layerspec.cpp
    model/layerschema.cpp
    model/layerschema.h
    model/layerspec.h
    model/modelbuilder.cpp
    model/modelbuilder.h
    model/modelbuilder_p.h
    model/modelsummary.cpp
    model/modelsummary.h
    model/modeltemplates.cpp
    model/modeltemplates.h
    ../resources/templates/templates.qrc
)
set_source_files_properties(model/layerschema.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
