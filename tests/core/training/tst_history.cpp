// Tests of the run history, its Keras CSVLogger form, and the JSON of training events.
#include "training/history.h"
#include "training/trainingevents.h"

#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

EpochRecord record(int epoch, double loss, double acc, double valLoss, double valAcc, double lr)
{
    EpochRecord r;
    r.epoch = epoch;
    r.metrics.loss = loss;
    r.metrics.accuracy = acc;
    r.metrics.valLoss = valLoss;
    r.metrics.valAccuracy = valAcc;
    r.learningRate = lr;
    return r;
}

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvHasKerasColumnsAndRoundTrips()
    {
        History history;
        QVERIFY(history.append(record(0, 1.5, 0.4, 1.2, 0.5, 0.001)).ok());
        QVERIFY(history.append(record(1, 0.7, 0.75, 0.8, 0.7, 0.0005)).ok());
        QVERIFY(history.append(record(2, 0.1, 0.3333333333333333, std::nan(""), std::nan(""), 1e-4))
                    .ok());
        const QByteArray csv = history.toCsv();
        QVERIFY(csv.startsWith(
            "epoch,accuracy,loss,lr,val_accuracy,val_loss\n0,0.4,1.5,0.001,0.5,1.2\n"));
        QVERIFY(csv.contains("\n2,0.3333333333333333,0.1,0.0001,nan,nan\n"));
        const Result<History> back = History::fromCsv(csv, QStringLiteral("history.csv"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->size(), 3);
        QCOMPARE(back->epochs()[1].metrics.valAccuracy, 0.7);
        QCOMPARE(back->epochs()[2].metrics.accuracy, 0.3333333333333333);
        QVERIFY(std::isnan(back->epochs()[2].metrics.valLoss));
        QCOMPARE(back->toCsv(), csv);
    }

    void refusesGapsAndDuplicates()
    {
        History history;
        QVERIFY(history.append(record(0, 1, 0, 1, 0, 1)).ok());
        const Status duplicate = history.append(record(0, 1, 0, 1, 0, 1));
        QVERIFY(!duplicate.ok());
        QVERIFY(!history.append(record(2, 1, 0, 1, 0, 1)).ok());
        QCOMPARE(history.size(), 1);
        const Result<History> bad = History::fromCsv(
            "epoch,accuracy,loss,lr,val_accuracy,val_loss\n0,1,1,1,1,1\n0,1,1,1,1,1\n",
            QStringLiteral("h.csv"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QLatin1String("line 3")), qPrintable(bad.error()));
    }

    void rejectsForeignCsv()
    {
        const Result<History> bad = History::fromCsv("a,b\n1,2\n", QStringLiteral("/x/h.csv"));
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().contains(QLatin1String("/x/h.csv")));
        const Result<History> badNumber =
            History::fromCsv("epoch,accuracy,loss,lr,val_accuracy,val_loss\n0,1,oops,1,1,1\n",
                             QStringLiteral("h.csv"));
        QVERIFY(!badNumber.ok());
        QVERIFY(badNumber.error().contains(QLatin1String("oops")));
    }

    void truncateAndBest()
    {
        History history;
        QVERIFY(history.append(record(0, 1.0, 0.5, 0.9, 0.6, 1)).ok());
        QVERIFY(history.append(record(1, 0.8, 0.6, 0.7, 0.8, 1)).ok());
        QVERIFY(history.append(record(2, 0.6, 0.7, 0.75, 0.85, 1)).ok());
        QCOMPARE(history.bestEpoch(QStringLiteral("val_loss")), 1);
        QCOMPARE(history.bestEpoch(QStringLiteral("val_accuracy")), 2);
        history.truncate(1);
        QCOMPARE(history.size(), 1);
        QVERIFY(history.append(record(1, 0.8, 0.6, 0.7, 0.8, 1)).ok());
    }

    void eventJsonUsesPeoplesEpochs()
    {
        EpochEvent epoch;
        epoch.record = record(0, 0.5, 0.8, std::nan(""), 0.75, 0.001);
        epoch.record.seconds = 2.5;
        epoch.record.imagesPerSecond = 1000;
        const QJsonObject json = toJson(epoch);
        QCOMPARE(json[QStringLiteral("event")].toString(), QStringLiteral("epoch"));
        QCOMPARE(json[QStringLiteral("epoch")].toInt(), 1);
        QCOMPARE(json[QStringLiteral("accuracy")].toDouble(), 0.8);
        QVERIFY(json[QStringLiteral("val_loss")].isNull());
        QCOMPARE(json[QStringLiteral("val_accuracy")].toDouble(), 0.75);
        QCOMPARE(json[QStringLiteral("images_per_second")].toDouble(), 1000.0);
        const QByteArray line = QJsonDocument(json).toJson(QJsonDocument::Compact);
        QVERIFY(!line.contains('\n'));
        QVERIFY(QJsonDocument::fromJson(line).isObject());

        RunEndedEvent ended;
        ended.outcome = RunEndedEvent::Outcome::Failed;
        ended.reason = QStringLiteral("The loss became NaN at epoch 3.");
        const QJsonObject endJson = toJson(ended);
        QCOMPARE(endJson[QStringLiteral("event")].toString(), QStringLiteral("failed"));
        QCOMPARE(endJson[QStringLiteral("reason")].toString(), ended.reason);
        QVERIFY(!endJson.contains(QStringLiteral("best_epoch")));
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
