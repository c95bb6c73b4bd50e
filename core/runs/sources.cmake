# studio::runs: what is built from whole runs (cross-validation).
studio_core_module(runs
    SOURCES
        runs/crossvalidation.cpp
        runs/crossvalidation.h
    DEPENDS common dataset model project export evaluation training
)
set_source_files_properties(runs/crossvalidation.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
