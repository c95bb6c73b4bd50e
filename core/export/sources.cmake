# studio::export: model files (TorchScript, ONNX), their metadata, and predicting with them
# (LibTorch in float32 or in int8 on oneDNN, or OpenCV's DNN module on the model converted to
# ONNX in memory).
studio_core_module(export
    SOURCES
        export/exporter.h
        export/exporter_p.h
        export/int8net_p.h
        export/modelmetadata.cpp
        export/modelmetadata.h
        export/modelsplit.cpp
        export/modelsplit.h
        export/onnxexport.cpp
        export/onnxexport_p.h
        export/opencvnet.cpp
        export/opencvnet_p.h
        export/predictor.h
    WITH_TORCH
        export/exporter.cpp
        export/int8kernels.cpp
        export/int8kernels_p.h
        export/int8net.cpp
        export/modelfile.cpp
        export/predictor.cpp
    DEPENDS common dataset model
)

# ONNX export uses Debian's libonnx (libonnx-dev). Its protobuf headers stay out of the
# precompiled header (torch's): onnxexport.cpp includes only what it needs.
find_package(ONNX REQUIRED)
target_link_libraries(studio_export PRIVATE onnx onnx_proto)
