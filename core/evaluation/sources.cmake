# Sources of core/evaluation, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    evaluation/metrics.cpp
    evaluation/metrics.h
)
