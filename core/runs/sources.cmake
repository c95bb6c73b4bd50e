# studio::runs: what is built from whole runs (cross-validation).
studio_core_module(runs
    SOURCES
        runs/crossvalidation.cpp
        runs/crossvalidation.h
    DEPENDS common dataset model project export evaluation training
)
