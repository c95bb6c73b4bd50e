// The scan's findings for people (a text report) and for programs (the JSON of `scan --json`).
#pragma once

#include "dataset/datasetindex.h"

#include <QJsonObject>
#include <QString>

namespace studio {

// {"classes", "splits": {"train": {"counts", "total"}, ...}, "split_mode", "skipped",
// "formats": {class: {"images", "channels": {"4": n}, "sample_types": {"uint16": n}, "width":
// [min, max], "height", "dim", "grey_as_rgb", "with_alpha"}}, "image_channels", "warnings",
// "duplicates"}; paths relative to the dataset root.
QJsonObject scanReportJson(const DatasetIndex& index);

// A table of images per class and split, then skipped files and warnings.
QString scanReportText(const DatasetIndex& index);

} // namespace studio
