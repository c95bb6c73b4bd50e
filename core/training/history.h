// The per-epoch history of a run and its Keras CSVLogger file (history.csv).
#pragma once

#include "common/result.h"
#include "training/callbacks.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace studio {

// One finished epoch. `epoch` is 0-based as in Keras's CSVLogger; people see epoch + 1.
struct EpochRecord
{
    int epoch = 0;
    EpochMetrics metrics;
    double learningRate = 0;
    double seconds = 0;
    double imagesPerSecond = 0;
    // Of `seconds`, the time this process's trainer waited for its next batch of images (not
    // kept in history.csv).
    double dataWaitSeconds = 0;
};

// The epochs of a run in order, with their CSV form.
class History
{
public:
    const QVector<EpochRecord>& epochs() const { return m_epochs; }
    bool isEmpty() const { return m_epochs.isEmpty(); }
    int size() const { return int(m_epochs.size()); }

    // Appends the next epoch; refuses a gap or a repeated epoch number.
    Status append(const EpochRecord& record);

    // Drops epochs from `epoch` on (used when resuming from an older checkpoint).
    void truncate(int epoch);

    // The 0-based epoch with the best value of `monitor`, or -1 when none has a value.
    int bestEpoch(const QString& monitor) const;

    // Keras CSVLogger columns: epoch,accuracy,loss,lr,val_accuracy,val_loss.
    QByteArray toCsv() const;
    static Result<History> fromCsv(const QByteArray& csv, const QString& fileName);

private:
    QVector<EpochRecord> m_epochs;
};

} // namespace studio
