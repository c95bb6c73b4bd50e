// Writing JSON for people: a stable, meaningful key order and short lists on one line.
#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace studio {

// Pretty-prints `object` with 4-space indentation. Keys follow the order of the project file's
// sections (version, dataset, augmentation, model, training; "type" first in a layer, ...),
// keys it does not know come after in alphabetical order. Arrays of numbers and strings, and
// objects inside arrays whose values are all scalars (the layers), are written on one line.
QByteArray toReadableJson(const QJsonObject& object);

} // namespace studio
