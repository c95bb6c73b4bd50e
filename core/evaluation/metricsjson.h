// Reading back the evaluation report that metricsToJson() / writeMetricsFiles() wrote, so that
// a run's evaluation can be shown again without the model or the images.
#pragma once

#include "common/result.h"
#include "evaluation/metrics.h"

#include <QJsonObject>
#include <QString>

namespace studio {

// The metrics of a metricsToJson() object; `source` names the file in messages. Missing or
// inconsistent fields (a confusion matrix that does not match the classes) are a Failure.
Result<EvaluationMetrics> metricsFromJson(const QJsonObject& json, const QString& source);

// Reads an evaluation.json file.
Result<EvaluationMetrics> loadMetricsFile(const QString& path);

} // namespace studio
