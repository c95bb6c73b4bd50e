// NumPy's .npy format (version 1.0) for 2-D float32 arrays: what `numpy.load` reads.
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace studio {

// A 2-D float32 array, row-major (C order).
struct NpyArray
{
    int rows = 0;
    int columns = 0;
    std::vector<float> values; // rows * columns
};

// The bytes of a .npy file: magic, version 1.0, the header
// {'descr': '<f4', 'fortran_order': False, 'shape': (rows, columns), } padded with spaces to a
// multiple of 64 bytes, then the values as little-endian float32.
QByteArray npyBytes(const NpyArray& array);

// Writes npyBytes() through a temporary file and a rename.
Status writeNpy(const QString& path, const NpyArray& array);

// Reads what npyBytes() writes (a 2-D little-endian float32 C-order array, version 1.0 to 3.0);
// anything else is a Failure naming `source` and what is wrong.
Result<NpyArray> npyFromBytes(const QByteArray& bytes, const QString& source);

// Reads a .npy file (see npyFromBytes()).
Result<NpyArray> readNpy(const QString& path);

} // namespace studio
