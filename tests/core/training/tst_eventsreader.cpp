// Tests of reading training events back: runEventFromJson() inverts toJson() for every event,
// and EventsReader follows a growing events.jsonl (half lines, truncation, replacement, garbage).
#include "training/eventsreader.h"
#include "training/trainingevents.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace studio;

namespace {

QByteArray line(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

void append(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

void overwrite(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

BatchEvent batch(int epoch, int number)
{
    BatchEvent e;
    e.epoch = epoch;
    e.batch = number;
    e.batches = 10;
    e.loss = 1.0 / number;
    e.accuracy = 0.1 * number;
    return e;
}

RunStartedEvent started(int epochs)
{
    RunStartedEvent e;
    e.device = QStringLiteral("cpu");
    e.epochs = epochs;
    e.batchesPerEpoch = 10;
    e.environment = currentEnvironment();
    return e;
}

} // namespace

class TestEventsReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyEventRoundTrips()
    {
        LoadingEvent loading;
        loading.done = 120;
        loading.total = 6000000000; // more than an int holds

        RunStartedEvent start;
        start.device = QStringLiteral("cuda:0");
        start.threads = 4;
        start.environment = currentEnvironment();
        start.trainImages = 600;
        start.validationImages = 60;
        start.testImages = 30;
        start.parameters = 12345678;
        start.epochs = 10;
        start.firstEpoch = 3;
        start.batchesPerEpoch = 75;
        start.warnings = {QStringLiteral("a warning"), QStringLiteral("another")};

        BatchEvent batchEvent;
        batchEvent.epoch = 3;
        batchEvent.batch = 17;
        batchEvent.batches = 75;
        batchEvent.loss = 0.6931471805599453;
        batchEvent.accuracy = 0.53125;
        batchEvent.imagesPerSecond = 812.25;
        batchEvent.etaSeconds = 93.5;

        EpochEvent epoch;
        epoch.record.epoch = 4;
        epoch.record.metrics.loss = 0.25;
        epoch.record.metrics.accuracy = 0.875;
        epoch.record.metrics.valLoss = 0.3333333333333333;
        epoch.record.metrics.valAccuracy = 0.8;
        epoch.record.learningRate = 5e-4;
        epoch.record.seconds = 12.5;
        epoch.record.imagesPerSecond = 48;
        epoch.record.dataWaitSeconds = 0.75;
        epoch.isBest = true;
        epoch.warnings = {QStringLiteral("skipped a.png")};

        EpochEvent noValidation; // no validation split: null metrics come back as NaN
        noValidation.record.epoch = 0;
        noValidation.record.metrics.loss = 1.5;
        noValidation.record.metrics.accuracy = 0.25;

        RunEndedEvent finished;
        finished.epochsDone = 10;
        finished.bestEpoch = 7;
        finished.modelPath = QStringLiteral("/runs/a/model.pt");
        finished.testCount = 30;
        finished.testAccuracy = 0.9;
        finished.int8Check = QStringLiteral("int8 engine calibrated on 512 training images.");
        RunEndedEvent stopped;
        stopped.outcome = RunEndedEvent::Outcome::Stopped;
        stopped.reason = QStringLiteral("Stopped by the user.");
        stopped.epochsDone = 2;
        RunEndedEvent failed;
        failed.outcome = RunEndedEvent::Outcome::Failed;
        failed.reason = QStringLiteral("The loss became NaN.");
        failed.rescuedRunDir = QStringLiteral("/tmp/rescued");

        // Through the text form too, as events.jsonl stores them.
        auto back = [](const QJsonObject& json) {
            const QJsonDocument document =
                QJsonDocument::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact));
            return runEventFromJson(document.object());
        };

        Result<RunEvent> l = back(toJson(loading));
        QVERIFY2(l.ok(), qPrintable(l.error()));
        QCOMPARE(l->kind, RunEvent::Kind::Loading);
        QCOMPARE(l->loading.done, loading.done);
        QCOMPARE(l->loading.total, loading.total);
        QCOMPARE(toJson(l->loading), toJson(loading));

        Result<RunEvent> s = back(toJson(start));
        QVERIFY2(s.ok(), qPrintable(s.error()));
        QCOMPARE(s->kind, RunEvent::Kind::Started);
        QCOMPARE(s->started.firstEpoch, 3); // 1-based in JSON, 0-based again here
        QCOMPARE(s->started.parameters, start.parameters);
        QCOMPARE(s->started.warnings, start.warnings);
        QVERIFY(s->started.environment.libtorch.startsWith(QStringLiteral("1.")));
        QVERIFY(s->started.environment.app.startsWith(QStringLiteral("Classifier Studio ")));
        QVERIFY(!s->started.environment.cpu.isEmpty());
        QCOMPARE(describeMachine(s->started.environment), describeMachine(start.environment));
        QCOMPARE(toJson(s->started), toJson(start));

        Result<RunEvent> b = back(toJson(batchEvent));
        QVERIFY2(b.ok(), qPrintable(b.error()));
        QCOMPARE(b->kind, RunEvent::Kind::Batch);
        QCOMPARE(b->batch.epoch, 3);
        QCOMPARE(b->batch.loss, batchEvent.loss);
        QCOMPARE(toJson(b->batch), toJson(batchEvent));

        Result<RunEvent> e = back(toJson(epoch));
        QVERIFY2(e.ok(), qPrintable(e.error()));
        QCOMPARE(e->kind, RunEvent::Kind::Epoch);
        QCOMPARE(e->epoch.record.epoch, 4);
        QCOMPARE(e->epoch.record.metrics.valLoss, epoch.record.metrics.valLoss);
        QCOMPARE(e->epoch.record.learningRate, 5e-4);
        QCOMPARE(e->epoch.record.dataWaitSeconds, 0.75);
        QVERIFY(e->epoch.isBest);
        QCOMPARE(e->epoch.warnings, epoch.warnings);
        QCOMPARE(toJson(e->epoch), toJson(epoch));

        Result<RunEvent> n = back(toJson(noValidation));
        QVERIFY2(n.ok(), qPrintable(n.error()));
        QVERIFY(std::isnan(n->epoch.record.metrics.valLoss));
        QVERIFY(std::isnan(n->epoch.record.metrics.valAccuracy));
        QVERIFY(!n->epoch.isBest);
        QCOMPARE(toJson(n->epoch), toJson(noValidation));

        for (const AdviceEvent& advice :
             {AdviceEvent{2, QStringLiteral("overfitting"),
                          QStringLiteral("Turn on EarlyStopping.")},
              AdviceEvent{-1, QStringLiteral("tiny_class"), QStringLiteral("Few images.")}}) {
            Result<RunEvent> a = back(toJson(advice));
            QVERIFY2(a.ok(), qPrintable(a.error()));
            QCOMPARE(a->kind, RunEvent::Kind::Advice);
            QCOMPARE(a->advice.epoch, advice.epoch);
            QCOMPARE(a->advice.code, advice.code);
            QCOMPARE(a->advice.message, advice.message);
            QCOMPARE(toJson(a->advice), toJson(advice));
        }
        QVERIFY(!runEventFromJson({{QStringLiteral("event"), QStringLiteral("advice")}}).ok());

        for (const RunEndedEvent& ended : {finished, stopped, failed}) {
            Result<RunEvent> r = back(toJson(ended));
            QVERIFY2(r.ok(), qPrintable(r.error()));
            QCOMPARE(r->kind, RunEvent::Kind::Ended);
            QCOMPARE(r->ended.outcome, ended.outcome);
            QCOMPARE(r->ended.bestEpoch, ended.bestEpoch);
            QCOMPARE(r->ended.reason, ended.reason);
            QCOMPARE(r->ended.rescuedRunDir, ended.rescuedRunDir);
            QCOMPARE(r->ended.int8Check, ended.int8Check);
            QCOMPARE(toJson(r->ended), toJson(ended));
        }
    }

    void badObjectsSayWhatIsWrong()
    {
        const QJsonObject good = toJson(batch(0, 1));
        auto problem = [](const QJsonObject& object) {
            const Result<RunEvent> event = runEventFromJson(object);
            return event.ok() ? QString() : event.error();
        };
        QVERIFY(problem(good).isEmpty());
        QVERIFY(problem(QJsonObject{}).contains(QLatin1String("without an \"event\"")));
        QVERIFY(problem({{QStringLiteral("event"), QStringLiteral("lunch")}})
                    .contains(QLatin1String("unknown event \"lunch\"")));

        QJsonObject noEpoch = good;
        noEpoch.remove(QStringLiteral("epoch"));
        QCOMPARE(problem(noEpoch), QStringLiteral("a \"batch\" event without \"epoch\""));
        QJsonObject zeroEpoch = good;
        zeroEpoch.insert(QStringLiteral("epoch"), 0); // epochs are 1-based in JSON
        QVERIFY(problem(zeroEpoch).contains(QLatin1String("below 1")));
        QJsonObject textLoss = good;
        textLoss.insert(QStringLiteral("loss"), QStringLiteral("low"));
        QVERIFY(problem(textLoss).contains(QLatin1String("\"loss\" is not a number")));
        QJsonObject halfBatch = good;
        halfBatch.insert(QStringLiteral("batch"), 2.5);
        QVERIFY(problem(halfBatch).contains(QLatin1String("\"batch\" is not a whole number")));
        QJsonObject negative = toJson(LoadingEvent{});
        negative.insert(QStringLiteral("total"), -3);
        QVERIFY(problem(negative).contains(QLatin1String("\"total\"")));
        QJsonObject badWarnings = toJson(started(2));
        badWarnings.insert(QStringLiteral("warnings"), QJsonArray{1, 2});
        QVERIFY(problem(badWarnings).contains(QLatin1String("\"warnings\"")));

        // Fields a newer writer adds are ignored.
        QJsonObject extra = good;
        extra.insert(QStringLiteral("rank"), 0);
        QVERIFY(problem(extra).isEmpty());
    }

    void readsOnlyCompleteNewLines()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.jsonl"));
        EventsReader reader(path);

        // No file yet: nothing, and no complaint.
        EventsReader::Update update = reader.readNew();
        QVERIFY(update.events.isEmpty());
        QVERIFY(update.warnings.isEmpty());
        QVERIFY(!update.restarted);

        append(path, line(toJson(started(2))) + line(toJson(batch(0, 1))));
        update = reader.readNew();
        QCOMPARE(update.events.size(), 2);
        QCOMPARE(update.events[0].kind, RunEvent::Kind::Started);
        QCOMPARE(update.events[1].kind, RunEvent::Kind::Batch);
        QCOMPARE(update.events[1].batch.batch, 1);
        QVERIFY(reader.readNew().events.isEmpty()); // nothing new

        // A half-written line waits for its newline; the line before it does not.
        const QByteArray second = line(toJson(batch(0, 2)));
        const QByteArray third = line(toJson(batch(0, 3)));
        append(path, second + third.left(third.size() / 2));
        update = reader.readNew();
        QCOMPARE(update.events.size(), 1);
        QCOMPARE(update.events[0].batch.batch, 2);
        QVERIFY(update.warnings.isEmpty());
        QVERIFY(reader.readNew().events.isEmpty());
        append(path, third.mid(third.size() / 2, 3)); // a few more bytes, still no newline
        QVERIFY(reader.readNew().events.isEmpty());
        append(path, third.mid(third.size() / 2 + 3));
        update = reader.readNew();
        QCOMPARE(update.events.size(), 1);
        QCOMPARE(update.events[0].batch.batch, 3);
        QVERIFY(update.warnings.isEmpty());
        QCOMPARE(reader.offset(), QFileInfo(path).size());

        // CRLF line ends and blank lines are fine too.
        append(path, "\r\n" + line(toJson(batch(0, 4))).replace('\n', "\r\n"));
        update = reader.readNew();
        QCOMPARE(update.events.size(), 1);
        QCOMPARE(update.events[0].batch.batch, 4);
        QVERIFY(update.warnings.isEmpty());
    }

    void skipsGarbageLinesWithAWarning()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.jsonl"));
        append(path, line(toJson(started(1))) + "this is not JSON\n" + "[1, 2]\n" +
                         "{\"event\": \"batch\", \"epoch\": \"one\"}\n" +
                         line(toJson(batch(0, 1))) + QByteArray("\x00\x01\xff garbage\n", 12) +
                         line(toJson(batch(0, 2))));
        EventsReader reader(path);
        const EventsReader::Update update = reader.readNew();
        QCOMPARE(update.events.size(), 3);
        QCOMPARE(update.events[2].batch.batch, 2);
        QCOMPARE(reader.skippedLines(), 4);
        QCOMPARE(update.warnings.size(), 4);
        QVERIFY2(update.warnings[0].contains(QLatin1String("line 2")) &&
                     update.warnings[0].contains(QLatin1String("not JSON")) &&
                     update.warnings[0].contains(QDir::toNativeSeparators(path)),
                 qPrintable(update.warnings[0]));
        QVERIFY2(update.warnings[1].contains(QLatin1String("line 3")) &&
                     update.warnings[1].contains(QLatin1String("not a JSON object")),
                 qPrintable(update.warnings[1]));
        QVERIFY2(update.warnings[2].contains(QLatin1String("\"epoch\"")),
                 qPrintable(update.warnings[2]));
        QVERIFY2(update.warnings[3].contains(QLatin1String("line 6")),
                 qPrintable(update.warnings[3]));

        // A file of garbage: a few warnings, not one per line.
        QByteArray junk;
        for (int i = 0; i < 100; ++i) {
            junk += "junk\n";
        }
        append(path, junk + line(toJson(batch(0, 3))));
        const EventsReader::Update more = reader.readNew();
        QCOMPARE(more.events.size(), 1);
        QCOMPARE(reader.skippedLines(), 104);
        QCOMPARE(more.warnings.size(), 10 - 4 + 1);
        QVERIFY(more.warnings.last().contains(QLatin1String("silently")));
    }

    void truncatedOrReplacedFileIsReadFromTheStart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.jsonl"));
        append(path,
               line(toJson(started(3))) + line(toJson(batch(0, 1))) + line(toJson(batch(0, 2))));
        EventsReader reader(path);
        QCOMPARE(reader.readNew().events.size(), 3);

        // Truncated (shorter than what was read): start over.
        overwrite(path, line(toJson(started(5))));
        EventsReader::Update update = reader.readNew();
        QVERIFY(update.restarted);
        QCOMPARE(update.events.size(), 1);
        QCOMPARE(update.events[0].started.epochs, 5);
        QVERIFY(!reader.readNew().restarted);

        // Rewritten in place to a longer file with another start: start over.
        overwrite(path,
                  line(toJson(started(7))) + line(toJson(batch(0, 1))) + line(toJson(batch(0, 2))));
        update = reader.readNew();
        QVERIFY(update.restarted);
        QCOMPARE(update.events.size(), 3);
        QCOMPARE(update.events[0].started.epochs, 7);

        // Replaced by another file with the same start (a new run with the same settings,
        // written beside and renamed over): start over too.
        const QString other = dir.filePath(QStringLiteral("events.jsonl.new"));
        append(other, line(toJson(started(7))) + line(toJson(batch(0, 1))) +
                          line(toJson(batch(0, 2))) + line(toJson(batch(0, 3))));
        const QString keep = dir.filePath(QStringLiteral("old")); // keeps the old inode in use
        QVERIFY(QFile::rename(path, keep));
        QVERIFY(QFile::rename(other, path));
        update = reader.readNew();
        QVERIFY(update.restarted);
        QCOMPARE(update.events.size(), 4);

        // Deleted: nothing (the follower waits); written again: from the start.
        QVERIFY(QFile::remove(path));
        update = reader.readNew();
        QVERIFY(update.events.isEmpty());
        QVERIFY(update.warnings.isEmpty());
        append(path, line(toJson(started(9))));
        update = reader.readNew();
        QVERIFY(update.restarted);
        QCOMPARE(update.events.size(), 1);
        QCOMPARE(update.events[0].started.epochs, 9);
    }
};

QTEST_GUILESS_MAIN(TestEventsReader)
#include "tst_eventsreader.moc"
