# studio::evaluation: metrics (with ROC/PR curves and calibration), their files, and evaluating
# a model file on a dataset.
studio_core_module(evaluation
    SOURCES
        evaluation/curves.cpp
        evaluation/curves.h
        evaluation/evaluator.cpp
        evaluation/evaluator.h
        evaluation/metrics.cpp
        evaluation/metrics.h
        evaluation/metricsjson.cpp
        evaluation/metricsjson.h
    DEPENDS common dataset export
)
