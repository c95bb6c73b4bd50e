# studio::explain: saliency maps (Grad-CAM, occlusion) of a model file's decisions, their raw
# .npy files and overlay pictures.
studio_core_module(explain
    SOURCES
        explain/npyfile.cpp
        explain/npyfile.h
        explain/saliency.h
        explain/saliencyoverlay.cpp
    WITH_TORCH
        explain/saliency.cpp
    DEPENDS common dataset model export
)
