// Test data: a tiny learnable dataset of coloured shapes drawn into class folders.
#pragma once

#include <QString>

namespace studio::testdata {

// Writes ROOT/SPLIT/{bars,discs,squares}/<i>.png: `count` 16x16 images per class, blue bars,
// green discs and red squares at random places on noisy grey, reproducible from `seed`.
void makeShapes(const QString& root, const QString& split, int count, quint32 seed);

} // namespace studio::testdata
