# studio::explain: saliency maps (Grad-CAM, occlusion) of a model file's decisions, their raw
# .npy files and overlay pictures; maps of the penultimate-layer features (PCA, t-SNE) and
# their JSON files.
studio_core_module(explain
    SOURCES
        explain/embedding.h
        explain/embeddingfile.cpp
        explain/embeddingfile.h
        explain/npyfile.cpp
        explain/npyfile.h
        explain/saliency.h
        explain/saliencyoverlay.cpp
    WITH_TORCH
        explain/embedding.cpp
        explain/networkweights_p.h
        explain/saliency.cpp
    DEPENDS common dataset model export
)
