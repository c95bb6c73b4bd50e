# studio::model: layers, templates, summaries and the LibTorch network built from them.
studio_core_module(model
    SOURCES
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
    DEPENDS common dataset
)
set_source_files_properties(model/layerschema.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
set_target_properties(studio_model PROPERTIES AUTORCC ON)
