// A map of what a network learned kept as a JSON file (the Evaluate page keeps a run's map in
// RUN/evaluation/map.json), so that a map made once is shown again without remaking it.
// Torch-free.
#pragma once

#include "common/result.h"
#include "explain/embedding.h"

#include <QJsonObject>
#include <QString>

namespace studio {

// {"format": 1, "method", "feature_layer", "feature_dimension", "dataset_root", "classes",
//  "points": [[path, true class, predicted class, confidence, x, y], ...]}: x and y are null for
// a point outside the t-SNE sample.
QJsonObject embeddingToJson(const EmbeddingMap& map);
// A Failure naming `source` and what is wrong for a malformed object.
Result<EmbeddingMap> embeddingFromJson(const QJsonObject& json, const QString& source);

// Writes the map to `path` atomically (a temporary file, then a rename).
Status saveEmbeddingMap(const EmbeddingMap& map, const QString& path);
Result<EmbeddingMap> loadEmbeddingMap(const QString& path);

} // namespace studio
