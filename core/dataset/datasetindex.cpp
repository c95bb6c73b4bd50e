#include "dataset/datasetindex.h"

namespace studio {

QString splitName(Split split)
{
    switch (split) {
    case Split::Train:
        return QStringLiteral("train");
    case Split::Validation:
        return QStringLiteral("validation");
    case Split::Test:
        return QStringLiteral("test");
    }
    return {};
}

QVector<int> DatasetIndex::indicesOf(Split split) const
{
    QVector<int> result;
    for (int i = 0; i < items.size(); ++i) {
        if (items[i].split == split) {
            result.append(i);
        }
    }
    return result;
}

int DatasetIndex::count(Split split) const
{
    int n = 0;
    for (const DatasetItem& item : items) {
        n += item.split == split ? 1 : 0;
    }
    return n;
}

int DatasetIndex::count(Split split, int label) const
{
    int n = 0;
    for (const DatasetItem& item : items) {
        n += item.split == split && item.label == label ? 1 : 0;
    }
    return n;
}

QVector<float> DatasetIndex::classWeights() const
{
    QVector<int> counts(classes.size(), 0);
    int total = 0;
    for (const DatasetItem& item : items) {
        if (item.split == Split::Train && item.label >= 0 && item.label < counts.size()) {
            ++counts[item.label];
            ++total;
        }
    }
    QVector<float> weights(classes.size(), 0.0f);
    int present = 0;
    for (int c : counts) {
        present += c > 0 ? 1 : 0;
    }
    for (int c = 0; c < counts.size(); ++c) {
        if (counts[c] > 0) {
            weights[c] = float(double(total) / (double(present) * counts[c]));
        }
    }
    return weights;
}

} // namespace studio
