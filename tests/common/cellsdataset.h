// Test data: a small dataset of greyscale "cells" of three shapes, as a microscope might show them.
#pragma once

#include <QString>

namespace studio::testdata {

// Writes ROOT/{elongated,ring,round}/<i>.png: `count` 8-bit greyscale images per class of
// `width` x `height` px, one to three bright cells on a dark noisy background (round discs,
// elongated ellipses, or rings), at random places and angles, reproducible from `seed`. No
// split folders: the app splits it.
void makeCells(const QString& root, int count, quint32 seed, int width = 96, int height = 96);

} // namespace studio::testdata
