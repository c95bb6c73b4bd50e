// Tests of data-parallel training with the real CLI, as processes on 127.0.0.1: two processes
// end with the weights one process gets on the whole batch, only rank 0 writes, a lost rank
// ends the other with a message naming it, Ctrl-C on one rank stops all at the same step, a rank
// that cannot meet rank 0 gives up, settings that cannot be shared are refused on every rank,
// and a distributed run resumes.
#include "clirun.h"
#include "freeport.h"
#include "project/project.h"
#include "shapesdataset.h"
#include "shapesproject.h"

#include <torch/script.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

using studio::testdata::freePort;
using studio::testdata::jsonLines;
using studio::testdata::runCli;

namespace {

// The rows of history.csv without the header, as numbers per column name.
std::vector<std::map<QString, double>> history(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(QStringLiteral("history.csv")));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    const QList<QByteArray> names = lines.first().split(',');
    std::vector<std::map<QString, double>> rows;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split(',');
        std::map<QString, double> row;
        for (qsizetype c = 0; c < names.size() && c < cells.size(); ++c) {
            row[QString::fromUtf8(names[c])] = cells[c].toDouble();
        }
        rows.push_back(row);
    }
    return rows;
}

// The largest difference between the parameters of two exported models.
double largestWeightDifference(const QString& a, const QString& b)
{
    torch::jit::Module first = torch::jit::load(a.toStdString());
    torch::jit::Module second = torch::jit::load(b.toStdString());
    std::map<std::string, torch::Tensor> reference;
    for (const auto& item : first.named_parameters()) {
        reference[item.name] = item.value;
    }
    double largest = 0;
    int compared = 0;
    for (const auto& item : second.named_parameters()) {
        const auto found = reference.find(item.name);
        if (found == reference.end()) {
            return INFINITY;
        }
        largest = std::max(largest, (found->second - item.value).abs().max().item<double>());
        ++compared;
    }
    return compared == int(reference.size()) && compared > 0 ? largest : INFINITY;
}

// The processes of one distributed run of the CLI.
class Ranks
{
public:
    // argumentsOf(rank): the command line of each rank, before the distributed options.
    Ranks(const std::function<QStringList(int)>& argumentsOf, int worldSize, int port,
          int timeoutSeconds = 60, const QVector<int>& only = {})
    {
        for (int rank = 0; rank < worldSize; ++rank) {
            if (!only.isEmpty() && !only.contains(rank)) {
                continue;
            }
            auto process = std::make_unique<QProcess>();
            QStringList args = argumentsOf(rank);
            args << QStringLiteral("--world-size") << QString::number(worldSize)
                 << QStringLiteral("--rank") << QString::number(rank) << QStringLiteral("--master")
                 << QStringLiteral("127.0.0.1:%1").arg(port) << QStringLiteral("--timeout")
                 << QString::number(timeoutSeconds);
            process->start(QStringLiteral(STUDIO_CLI_PATH), args);
            m_processes.push_back(std::move(process));
            m_ranks.push_back(rank);
        }
    }
    ~Ranks()
    {
        for (auto& process : m_processes) {
            process->kill();
            process->waitForFinished();
        }
    }
    QProcess& operator[](int rank) { return *m_processes[index(rank)]; }
    // Waits for every rank; false when one is still running after timeoutMs.
    bool finish(int timeoutMs = 300000)
    {
        QElapsedTimer timer;
        timer.start();
        for (auto& process : m_processes) {
            if (!process->waitForFinished(int(std::max<qint64>(1, timeoutMs - timer.elapsed())))) {
                return false;
            }
        }
        return true;
    }
    // Waits until the rank printed its first epoch event (--json); false after two minutes.
    bool waitForEpoch(int rank)
    {
        QElapsedTimer waited;
        waited.start();
        while (!output(rank).contains(QLatin1String("\"event\":\"epoch\""))) {
            if (waited.elapsed() > 120000 || (*this)[rank].state() == QProcess::NotRunning) {
                return false;
            }
            (*this)[rank].waitForReadyRead(200);
        }
        return true;
    }
    // Everything the rank printed so far (stdout and stderr).
    QString output(int rank)
    {
        QProcess& process = *m_processes[index(rank)];
        m_out[rank] += QString::fromUtf8(process.readAllStandardOutput()) +
                       QString::fromUtf8(process.readAllStandardError());
        return m_out[rank];
    }

private:
    size_t index(int rank) const
    {
        return size_t(std::find(m_ranks.begin(), m_ranks.end(), rank) - m_ranks.begin());
    }

    std::vector<std::unique_ptr<QProcess>> m_processes;
    std::vector<int> m_ranks;
    std::map<int, QString> m_out;
};

} // namespace

class TestCliDistributed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_temp.isValid());
        m_data = m_temp.filePath(QStringLiteral("shapes"));
        studio::testdata::makeShapes(m_data, QStringLiteral("train"), 16, 1);
        studio::testdata::makeShapes(m_data, QStringLiteral("validation"), 6, 2);
        // 48 training images, a global batch of 8: six steps of 4 images on each of 2 ranks.
        m_project = m_temp.filePath(QStringLiteral("project.json"));
        const studio::Status saved =
            studio::saveProject(m_project, studio::testdata::shapesProject(m_data, 2));
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
    }

    void twoProcessesTrainLikeOne()
    {
        const QString single = m_temp.filePath(QStringLiteral("single"));
        const studio::testdata::CliRun one =
            runCli({QStringLiteral("train"), QStringLiteral("--project"), m_project,
                    QStringLiteral("--out"), single, QStringLiteral("--json")});
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));

        const QString run = m_temp.filePath(QStringLiteral("distributed"));
        const QString rank1Out = m_temp.filePath(QStringLiteral("rank1-out"));
        Ranks ranks(
            [&](int rank) {
                return QStringList{QStringLiteral("train"),
                                   QStringLiteral("--project"),
                                   m_project,
                                   QStringLiteral("--json"),
                                   QStringLiteral("--out"),
                                   rank == 0 ? run : rank1Out};
            },
            2, freePort());
        QVERIFY(ranks.finish());
        QVERIFY2(ranks[0].exitCode() == 0, qPrintable(ranks.output(0)));
        QVERIFY2(ranks[1].exitCode() == 0, qPrintable(ranks.output(1)));

        // The same history, epoch by epoch, and the same weights within float rounding.
        const auto a = history(single);
        const auto b = history(run);
        QCOMPARE(a.size(), size_t(2));
        QCOMPARE(b.size(), a.size());
        for (size_t epoch = 0; epoch < a.size(); ++epoch) {
            for (const char* column : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
                const QString name = QString::fromLatin1(column);
                QVERIFY2(std::abs(a[epoch].at(name) - b[epoch].at(name)) < 1e-4,
                         qPrintable(QStringLiteral("epoch %1 %2: one process %3, two %4")
                                        .arg(epoch)
                                        .arg(name)
                                        .arg(a[epoch].at(name))
                                        .arg(b[epoch].at(name))));
            }
        }
        const double difference =
            largestWeightDifference(QDir(single).filePath(QStringLiteral("model.pt")),
                                    QDir(run).filePath(QStringLiteral("model.pt")));
        qInfo("largest weight difference, one process vs two: %g", difference);
        QVERIFY2(difference < 1e-4, qPrintable(QString::number(difference)));

        // Both ranks report the whole run's metrics; rank 0 alone wrote the run folder,
        // including the events stream.
        const auto lastEpoch = [&](int rank) {
            QJsonObject last;
            for (const QJsonObject& event : jsonLines(ranks.output(rank).toUtf8())) {
                if (event[QStringLiteral("event")].toString() == QLatin1String("epoch")) {
                    last = event;
                }
            }
            return last;
        };
        QCOMPARE(lastEpoch(1)[QStringLiteral("val_accuracy")],
                 lastEpoch(0)[QStringLiteral("val_accuracy")]);
        QVERIFY(!QFileInfo::exists(rank1Out));
        QFile events(QDir(run).filePath(QStringLiteral("events.jsonl")));
        QVERIFY(events.open(QIODevice::ReadOnly));
        const QByteArray stream = events.readAll();
        QVERIFY(stream.contains("\"processes\":2"));
        QVERIFY(stream.contains("\"event\":\"finished\""));
        m_distributedRun = run;
    }

    void distributedRunResumes()
    {
        QVERIFY(!m_distributedRun.isEmpty());
        // Rank 1 is given a folder that does not exist: rank 0 sends it what it needs.
        const QString nowhere = m_temp.filePath(QStringLiteral("not-here"));
        Ranks ranks(
            [&](int rank) {
                return QStringList{QStringLiteral("resume"), rank == 0 ? m_distributedRun : nowhere,
                                   QStringLiteral("--epochs"), QStringLiteral("3"),
                                   QStringLiteral("--json")};
            },
            2, freePort());
        QVERIFY(ranks.finish());
        QVERIFY2(ranks[0].exitCode() == 0, qPrintable(ranks.output(0)));
        QVERIFY2(ranks[1].exitCode() == 0, qPrintable(ranks.output(1)));
        const auto rows = history(m_distributedRun);
        QCOMPARE(rows.size(), size_t(3));
        for (size_t epoch = 0; epoch < rows.size(); ++epoch) {
            QCOMPARE(rows[epoch].at(QStringLiteral("epoch")), double(epoch));
        }
        QVERIFY(!QFileInfo::exists(nowhere));
    }

    // A rank killed mid-run ends the other one, within the timeout, with a message naming the
    // lost rank and the master; rank 0's last checkpoint stays intact and resumes.
    void lostRankStopsTheOther_data()
    {
        QTest::addColumn<int>("victim");
        QTest::newRow("rank 1 killed") << 1;
        QTest::newRow("rank 0 killed") << 0;
    }
    void lostRankStopsTheOther()
    {
        QFETCH(int, victim);
        const int survivor = 1 - victim;
        const QString run = m_temp.filePath(QStringLiteral("lost-%1").arg(victim));
        const int port = freePort();
        const int timeoutSeconds = 60;
        Ranks ranks([&](int) { return longRun(run); }, 2, port, timeoutSeconds);
        // Wait for the first finished epoch (a checkpoint exists), then kill the victim.
        QVERIFY2(ranks.waitForEpoch(0), qPrintable(ranks.output(0)));
        ::kill(pid_t(ranks[victim].processId()), SIGKILL);
        QElapsedTimer stopping;
        stopping.start();
        QVERIFY2(ranks[survivor].waitForFinished((timeoutSeconds + 30) * 1000),
                 "the surviving rank did not stop");
        qInfo("rank %d stopped %.1f s after rank %d was killed", survivor,
              double(stopping.elapsed()) / 1000, victim);
        QCOMPARE(ranks[survivor].exitCode(), 1);
        const QString said = ranks.output(survivor);
        QVERIFY2(said.contains(QStringLiteral("lost rank %1").arg(victim)) &&
                     said.contains(QStringLiteral("rank %1 of 2").arg(survivor)) &&
                     said.contains(QStringLiteral("127.0.0.1:%1").arg(port)),
                 qPrintable(said));
        // Whatever happened, rank 0's checkpoint loads: a single process continues the run.
        const studio::testdata::CliRun resumed =
            runCli({QStringLiteral("resume"), run, QStringLiteral("--epochs"),
                    QString::number(history(run).size() + 1), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err + resumed.out));
    }

    // Ctrl-C on one process stops every process after the same step; rank 0 writes the
    // checkpoint and the run resumes.
    void interruptStopsEveryRank()
    {
        const QString run = m_temp.filePath(QStringLiteral("interrupted"));
        Ranks ranks([&](int) { return longRun(run); }, 2, freePort());
        QVERIFY2(ranks.waitForEpoch(1), qPrintable(ranks.output(1)));
        ::kill(pid_t(ranks[1].processId()), SIGINT);
        QVERIFY(ranks.finish(120000));
        QCOMPARE(ranks[0].exitCode(), 130);
        QCOMPARE(ranks[1].exitCode(), 130);
        const auto stoppedAt = [&](int rank) {
            for (const QJsonObject& event : jsonLines(ranks.output(rank).toUtf8())) {
                if (event[QStringLiteral("event")].toString() == QLatin1String("stopped")) {
                    return event[QStringLiteral("reason")].toString();
                }
            }
            return QString();
        };
        QVERIFY2(!stoppedAt(0).isEmpty(), qPrintable(ranks.output(0)));
        QCOMPARE(stoppedAt(1), stoppedAt(0)); // "Stopped at epoch E after B of N batches"
        QVERIFY(QFileInfo::exists(QDir(run).filePath(QStringLiteral("checkpoint-last.ckpt"))));
        const studio::testdata::CliRun resumed =
            runCli({QStringLiteral("resume"), run, QStringLiteral("--epochs"),
                    QString::number(history(run).size() + 1), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err + resumed.out));
    }

    void unreachableMasterGivesUp()
    {
        const int port = freePort();
        QElapsedTimer timer;
        timer.start();
        Ranks ranks(
            [&](int) {
                return QStringList{QStringLiteral("train"), QStringLiteral("--project"), m_project,
                                   QStringLiteral("--out"),
                                   m_temp.filePath(QStringLiteral("alone"))};
            },
            2, port, 3, {1});
        QVERIFY(ranks.finish(120000));
        QCOMPARE(ranks[1].exitCode(), 2);
        const QString said = ranks.output(1);
        QVERIFY2(said.contains(
                     QStringLiteral("Rank 1 could not reach rank 0 at 127.0.0.1:%1").arg(port)),
                 qPrintable(said));
        qInfo("gave up after %.1f s", double(timer.elapsed()) / 1000);
    }

    void unevenBatchIsRefusedEverywhere()
    {
        const QString run = m_temp.filePath(QStringLiteral("uneven"));
        Ranks ranks(
            [&](int) {
                return QStringList{QStringLiteral("train"),
                                   QStringLiteral("--project"),
                                   m_project,
                                   QStringLiteral("--batch-size"),
                                   QStringLiteral("7"),
                                   QStringLiteral("--out"),
                                   run};
            },
            2, freePort());
        QVERIFY(ranks.finish());
        for (int rank = 0; rank < 2; ++rank) {
            QCOMPARE(ranks[rank].exitCode(), 2);
            QVERIFY2(ranks.output(rank).contains(QLatin1String("batch_size 7 cannot be shared")),
                     qPrintable(ranks.output(rank)));
        }
        QVERIFY(!QFileInfo::exists(run)); // nothing was trained: no half-made run folder
    }

    void badDistributedOptionsAreNamed()
    {
        const studio::testdata::CliRun noRank =
            runCli({QStringLiteral("train"), QStringLiteral("--project"), m_project,
                    QStringLiteral("--out"), m_temp.filePath(QStringLiteral("x")),
                    QStringLiteral("--world-size"), QStringLiteral("2")});
        QCOMPARE(noRank.exitCode, 2);
        QVERIFY2(noRank.err.contains(QLatin1String("--rank")), qPrintable(noRank.err));
        const studio::testdata::CliRun badRank = runCli(
            {QStringLiteral("train"), QStringLiteral("--project"), m_project,
             QStringLiteral("--out"), m_temp.filePath(QStringLiteral("x")),
             QStringLiteral("--world-size"), QStringLiteral("2"), QStringLiteral("--rank"),
             QStringLiteral("2"), QStringLiteral("--master"), QStringLiteral("127.0.0.1:1234")});
        QCOMPARE(badRank.exitCode, 2);
        QVERIFY2(badRank.err.contains(QLatin1String("--rank (or RANK) must be a whole number "
                                                    "from 0 to 1")),
                 qPrintable(badRank.err));
    }

private:
    // A run of 500 epochs, to be interrupted.
    QStringList longRun(const QString& run) const
    {
        return {QStringLiteral("train"),
                QStringLiteral("--project"),
                m_project,
                QStringLiteral("--epochs"),
                QStringLiteral("500"),
                QStringLiteral("--json"),
                QStringLiteral("--out"),
                run};
    }

    QTemporaryDir m_temp;
    QString m_data;
    QString m_project;
    QString m_distributedRun;
};

QTEST_GUILESS_MAIN(TestCliDistributed)
#include "tst_cli_distributed.moc"
