# studio::export: model files (TorchScript, ONNX), their metadata, and predicting with them.
studio_core_module(export
    SOURCES
        export/exporter.cpp
        export/exporter.h
        export/exporter_p.h
        export/modelfile.cpp
        export/modelmetadata.cpp
        export/modelmetadata.h
        export/onnxexport.cpp
        export/onnxexport_p.h
        export/predictor.cpp
        export/predictor.h
    DEPENDS common dataset model
)

# ONNX export uses Debian's libonnx (libonnx-dev). Its protobuf headers stay out of the
# precompiled header (torch's): onnxexport.cpp includes only what it needs.
find_package(ONNX REQUIRED)
set_source_files_properties(export/onnxexport.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
target_link_libraries(studio_export PRIVATE onnx onnx_proto)
