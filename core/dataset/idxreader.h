// Reading IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed.
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace studio {

// The contents of one unsigned-byte IDX file: its dimensions and its payload.
struct IdxArray
{
    QVector<qint64> dims;
    QByteArray bytes;

    qint64 count() const { return dims.isEmpty() ? 0 : dims.first(); }
    qint64 itemSize() const;
};

// Reads and checks an IDX file: magic number, element type, dimensions and payload size.
Result<IdxArray> readIdxFile(const QString& path);

// Parses IDX bytes already in memory; `name` is used in messages.
Result<IdxArray> parseIdx(const QByteArray& content, const QString& name);

} // namespace studio
