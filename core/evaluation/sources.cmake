# Sources of core/evaluation, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    evaluation/evaluator.cpp
    evaluation/evaluator.h
    evaluation/metrics.cpp
    evaluation/metrics.h
    evaluation/metricsjson.cpp
    evaluation/metricsjson.h
)
