// Fuzz target: the CSV files the app writes and reads.
//  - History::fromCsv() (history.csv): any bytes give a history or a message naming the file,
//    never a crash; a history it accepts, written by toCsv(), reads back equal.
//  - csvCell() (the evaluation CSVs): the input as text, cut into cells at U+001F, each escaped
//    and joined into one row, parses back with an RFC 4180 reader into the same cells, a cell
//    that starts with = + - @ carrying the ' that keeps spreadsheets from running it.
#include "fuzzcheck.h"

#include "evaluation/metrics.h"
#include "training/history.h"

#include <QStringList>
#include <QVector>

#include <cmath>

namespace {

bool sameNumber(double a, double b)
{
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b);
    }
    return a == b && std::signbit(a) == std::signbit(b);
}

bool sameHistory(const studio::History& a, const studio::History& b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (int i = 0; i < a.size(); ++i) {
        const studio::EpochRecord& x = a.epochs()[i];
        const studio::EpochRecord& y = b.epochs()[i];
        if (x.epoch != y.epoch || !sameNumber(x.metrics.accuracy, y.metrics.accuracy) ||
            !sameNumber(x.metrics.loss, y.metrics.loss) ||
            !sameNumber(x.learningRate, y.learningRate) ||
            !sameNumber(x.metrics.valAccuracy, y.metrics.valAccuracy) ||
            !sameNumber(x.metrics.valLoss, y.metrics.valLoss)) {
            return false;
        }
    }
    return true;
}

void checkHistory(const QByteArray& bytes)
{
    using studio::History;
    const QString fileName = QStringLiteral("fuzz/history.csv");
    const studio::Result<History> history = History::fromCsv(bytes, fileName);
    if (!history) {
        FUZZ_CHECK(history.error().contains(QStringLiteral("'fuzz/history.csv'")), history.error());
        return;
    }
    const QByteArray written = history->toCsv();
    const studio::Result<History> reread = History::fromCsv(written, fileName);
    FUZZ_CHECK(reread.ok(), reread.error() + QStringLiteral("\nwritten:\n") + written);
    FUZZ_CHECK(sameHistory(*history, *reread), QString::fromUtf8(written));
    FUZZ_CHECK(reread->toCsv() == written, QString::fromUtf8(written));
}

// RFC 4180: records end with LF or CRLF; a field is quoted ("" inside stands for ") or holds no
// quote, comma or line break. False for text that breaks these rules.
bool parseCsv(const QString& text, QVector<QStringList>* records)
{
    QStringList record;
    QString field;
    int i = 0;
    const int n = int(text.size());
    while (i < n) {
        if (text[i] == QLatin1Char('"')) {
            ++i;
            for (;;) {
                if (i >= n) {
                    return false; // unclosed quote
                }
                if (text[i] == QLatin1Char('"')) {
                    if (i + 1 < n && text[i + 1] == QLatin1Char('"')) {
                        field += QLatin1Char('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i++];
            }
        } else {
            while (i < n && text[i] != QLatin1Char(',') && text[i] != QLatin1Char('\n') &&
                   text[i] != QLatin1Char('\r')) {
                if (text[i] == QLatin1Char('"')) {
                    return false; // a quote in an unquoted field
                }
                field += text[i++];
            }
        }
        if (i >= n) {
            return false; // the writer ends every record with a line break
        }
        if (text[i] == QLatin1Char(',')) {
            record << field;
            field.clear();
            ++i;
            continue;
        }
        if (text[i] == QLatin1Char('\r')) {
            if (i + 1 >= n || text[i + 1] != QLatin1Char('\n')) {
                return false; // a bare CR outside quotes
            }
            ++i;
        }
        if (text[i] != QLatin1Char('\n')) {
            return false; // text after a closing quote
        }
        ++i;
        record << field;
        field.clear();
        *records << record;
        record.clear();
    }
    return true;
}

void checkCells(const QByteArray& bytes)
{
    const QStringList cells = QString::fromUtf8(bytes).split(QChar(0x1f));
    QStringList escaped;
    QStringList expected;
    for (const QString& cell : cells) {
        escaped << studio::csvCell(cell);
        const bool formula =
            !cell.isEmpty() && QStringLiteral("=+-@").contains(cell.front(), Qt::CaseSensitive);
        expected << (formula ? QLatin1Char('\'') + cell : cell);
    }
    const QString row = escaped.join(QLatin1Char(',')) + QLatin1Char('\n');
    QVector<QStringList> records;
    FUZZ_CHECK(parseCsv(row, &records), QStringLiteral("not RFC 4180: ") + row);
    FUZZ_CHECK(records.size() == 1, QStringLiteral("%1 records: %2").arg(records.size()).arg(row));
    FUZZ_CHECK(records.first() == expected, QStringLiteral("read back differently: ") + row);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes = studio::fuzz::inputBytes(data, size);
    checkHistory(bytes);
    checkCells(bytes);
    return 0;
}
