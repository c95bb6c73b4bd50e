# Sources of core/runs, relative to core/: what is built from whole runs (cross-validation).
list(APPEND STUDIO_CORE_SOURCES
    runs/crossvalidation.cpp
    runs/crossvalidation.h
)
set_source_files_properties(runs/crossvalidation.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
