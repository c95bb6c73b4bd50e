# studio::model: layers, templates, summaries and the LibTorch network built from them.
studio_core_module(model
    SOURCES
        model/featureextractor.h
        model/featureextractor_p.h
        model/jsonfields.cpp
        model/jsonfields.h
        model/layerspec.cpp
        model/layerschema.cpp
        model/layerschema.h
        model/layerspec.h
        model/modelbuilder.h
        model/modelbuilder_p.h
        model/modelsummary.cpp
        model/modelsummary.h
        model/modeltemplates.cpp
        model/modeltemplates.h
    WITH_TORCH
        model/dnnllayers.cpp
        model/dnnllayers_p.h
        model/featureextractor.cpp
        model/modelbuilder.cpp
        model/poolingkernels.cpp
        model/poolingkernels_p.h
    DEPENDS common dataset
)
# The templates' JSON files, compiled in (qrc_templates.cpp, without the precompiled header).
qt_add_resources(template_resources ../resources/templates/templates.qrc)
target_sources(studio_model PRIVATE ${template_resources})
target_link_libraries(studio_model PRIVATE DNNL::dnnl) # dnnllayers.cpp
set_source_files_properties(${template_resources} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
