# studio::runs: what is built from whole runs: cross-validation, the runs catalog, comparing runs.
studio_core_module(runs
    SOURCES
        runs/crossvalidation.cpp
        runs/crossvalidation.h
        runs/runcatalog.cpp
        runs/runcatalog.h
        runs/runcomparison.cpp
        runs/runcomparison.h
        runs/runsfolder.cpp
        runs/runsfolder.h
    DEPENDS common dataset model project export evaluation training
)
