#include "training/history.h"

#include <QDir>
#include <QList>

#include <charconv>
#include <cmath>
#include <limits>

namespace studio {

namespace {

const QByteArray kHeader = QByteArrayLiteral("epoch,accuracy,loss,lr,val_accuracy,val_loss");
// The largest 0-based epoch: the epoch people see (epoch + 1) is an int too.
constexpr int kMaxEpoch = std::numeric_limits<int>::max() - 1;

QByteArray number(double value)
{
    if (std::isnan(value)) {
        return QByteArrayLiteral("nan");
    }
    // Shortest round-trip digits, laid out as Python's repr() (and so Keras's CSVLogger) does:
    // positional for exponents -4..15, scientific otherwise.
    char buffer[64];
    std::to_chars_result end =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const QByteArray scientific(buffer, int(end.ptr - buffer));
    const int exponent = scientific.mid(scientific.indexOf('e') + 1).toInt();
    if (exponent < -4 || exponent >= 16) {
        return scientific;
    }
    end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return QByteArray(buffer, int(end.ptr - buffer));
}

} // namespace

Status History::append(const EpochRecord& record)
{
    const qint64 expected = m_epochs.isEmpty() ? record.epoch : qint64(m_epochs.last().epoch) + 1;
    if (record.epoch != expected) {
        return Failure{QStringLiteral("Epoch %1 does not follow epoch %2 in the history.")
                           .arg(qint64(record.epoch) + 1)
                           .arg(qint64(m_epochs.last().epoch) + 1)};
    }
    m_epochs.append(record);
    return {};
}

void History::truncate(int epoch)
{
    while (!m_epochs.isEmpty() && m_epochs.last().epoch >= epoch) {
        m_epochs.removeLast();
    }
}

int History::bestEpoch(const QString& monitor) const
{
    const bool increases = monitorIncreases(monitor);
    int best = -1;
    double bestValue = 0;
    for (const EpochRecord& record : m_epochs) {
        const double value = record.metrics.value(monitor);
        if (std::isnan(value)) {
            continue;
        }
        if (best < 0 || (increases ? value > bestValue : value < bestValue)) {
            best = record.epoch;
            bestValue = value;
        }
    }
    return best;
}

QByteArray History::toCsv() const
{
    QByteArray csv = kHeader + '\n';
    for (const EpochRecord& r : m_epochs) {
        csv += QByteArray::number(r.epoch) + ',' + number(r.metrics.accuracy) + ',' +
               number(r.metrics.loss) + ',' + number(r.learningRate) + ',' +
               number(r.metrics.valAccuracy) + ',' + number(r.metrics.valLoss) + '\n';
    }
    return csv;
}

Result<History> History::fromCsv(const QByteArray& csv, const QString& fileName)
{
    const QList<QByteArray> lines = csv.split('\n');
    if (lines.isEmpty() || lines.first().trimmed() != kHeader) {
        return Failure{QStringLiteral("'%1' is not a history file: its first line should be "
                                      "'%2'.")
                           .arg(QDir::toNativeSeparators(fileName), QString::fromLatin1(kHeader))};
    }
    History history;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) {
            continue;
        }
        const QList<QByteArray> fields = line.split(',');
        bool ok = fields.size() == 6;
        EpochRecord record;
        double values[5] = {};
        if (ok) {
            record.epoch = fields[0].toInt(&ok);
        }
        for (int f = 1; ok && f < 6; ++f) {
            values[f - 1] = fields[f] == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                               : fields[f].toDouble(&ok);
        }
        if (!ok) {
            return Failure{QStringLiteral("'%1', line %2: expected six numbers, found '%3'.")
                               .arg(QDir::toNativeSeparators(fileName))
                               .arg(i + 1)
                               .arg(QString::fromUtf8(line))};
        }
        if (record.epoch < 0 || record.epoch > kMaxEpoch) {
            return Failure{QStringLiteral("'%1', line %2: the epoch must be a whole number from 0 "
                                          "to %3 (epochs are counted from 0), found '%4'. Correct "
                                          "or delete that line.")
                               .arg(QDir::toNativeSeparators(fileName))
                               .arg(i + 1)
                               .arg(kMaxEpoch)
                               .arg(QString::fromUtf8(fields[0]))};
        }
        record.metrics.accuracy = values[0];
        record.metrics.loss = values[1];
        record.learningRate = values[2];
        record.metrics.valAccuracy = values[3];
        record.metrics.valLoss = values[4];
        const Status appended = history.append(record);
        if (!appended) {
            return Failure{QStringLiteral("'%1', line %2: %3")
                               .arg(QDir::toNativeSeparators(fileName))
                               .arg(i + 1)
                               .arg(appended.error())};
        }
    }
    return history;
}

} // namespace studio
