// Tests of `classifier-cli scan` as a user runs it: its JSON, its report and its exit codes.
#include "clirun.h"
#include "datasetfixtures.h"
#include "sciencedataset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using studio::testdata::CliRun;
using studio::testdata::runCli;

class TestScanCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonOfFolderLayout()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/train/A/1.png"), 1));
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/train/A/2.png"), 2));
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/train/B/3.png"), 3));
        QVERIFY(fixtures::writeBytes(r + QStringLiteral("/train/B/broken.png"), "not a png"));
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/validation/A/4.png"), 4));
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/validation/B/5.png"), 5));
        QVERIFY(fixtures::writePattern(r + QStringLiteral("/test/A/6.png"), 1)); // = train/A/1.png
        const CliRun run = runCli({QStringLiteral("scan"), r, QStringLiteral("--json"),
                                   QStringLiteral("--image-size"), QStringLiteral("32"),
                                   QStringLiteral("--color-mode"), QStringLiteral("grayscale")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(run.out.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(run.out));
        const QJsonObject json = doc.object();
        QCOMPARE(json.keys(), (QStringList{"classes", "duplicates", "formats", "image_channels",
                                           "skipped", "split_mode", "splits", "warnings"}));
        QCOMPARE(json.value("classes").toArray(), (QJsonArray{"A", "B"}));
        QCOMPARE(json.value("split_mode").toString(), QStringLiteral("folders"));
        const QJsonObject splits = json.value("splits").toObject();
        QCOMPARE(splits.value("train").toObject().value("total").toInt(), 3);
        QCOMPARE(splits.value("train").toObject().value("counts").toObject(),
                 (QJsonObject{{"A", 2}, {"B", 1}}));
        QCOMPARE(splits.value("validation").toObject().value("total").toInt(), 2);
        QCOMPARE(splits.value("test").toObject().value("counts").toObject(),
                 (QJsonObject{{"A", 1}, {"B", 0}}));
        const QJsonArray skipped = json.value("skipped").toArray();
        QCOMPARE(skipped.size(), 1);
        QCOMPARE(skipped[0].toObject().value("path").toString(),
                 QStringLiteral("train/B/broken.png"));
        QCOMPARE(skipped[0].toObject().value("reason").toString(),
                 QStringLiteral("not an image (could not decode)"));
        const QJsonArray duplicates = json.value("duplicates").toArray();
        QCOMPARE(duplicates.size(), 1);
        QCOMPARE(duplicates[0].toObject().value("paths").toArray(),
                 (QJsonArray{"train/A/1.png", "test/A/6.png"}));
        QVERIFY(json.value("warnings").toArray().size() >= 2); // leakage, the skipped file
    }

    void jsonOfAutoSplit()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 20; ++i) {
            QVERIFY(fixtures::writePattern(
                dir.path() + QStringLiteral("/%1/%2.png").arg(i % 2 ? "odd" : "even").arg(i), i));
        }
        const CliRun run = runCli({QStringLiteral("scan"), dir.path(), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value("split_mode").toString(), QStringLiteral("auto"));
        const QJsonObject splits = json.value("splits").toObject();
        QCOMPARE(splits.value("train").toObject().value("counts").toObject(),
                 (QJsonObject{{"even", 8}, {"odd", 8}}));
        QCOMPARE(splits.value("validation").toObject().value("total").toInt(), 2);
        QCOMPARE(splits.value("test").toObject().value("total").toInt(), 2);
        QVERIFY(QFileInfo::exists(dir.path() + QStringLiteral("/.classifier-studio/split.json")));
    }

    // Issue 16's 4-channel dataset: scan reports 4 channels and 16 bits for every class,
    // skips a 3-channel image with its reason, and says that the colour mode drops a channel.
    void jsonOfFourChannelSixteenBitImages()
    {
        QTemporaryDir dir;
        studio::testdata::ScienceCells cells;
        cells.perClass = 5;
        cells.channels = 4;
        cells.classChannel = 3;
        studio::testdata::makeScienceCells(dir.path(), cells);
        cells.perClass = 1;
        cells.channels = 3;
        QTemporaryDir odd;
        studio::testdata::makeScienceCells(odd.path(), cells);
        QVERIFY(QFile::rename(odd.filePath("round/round_000.tif"),
                              dir.filePath("round/three_channels.tif")));
        const CliRun run = runCli({QStringLiteral("scan"), dir.path(), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value("image_channels").toInt(), 4);
        const QJsonObject formats = json.value("formats").toObject();
        QCOMPARE(formats.keys(), (QStringList{"elongated", "ring", "round"}));
        for (const QString& name : formats.keys()) {
            const QJsonObject format = formats.value(name).toObject();
            QCOMPARE(format.value("images").toInt(), 5);
            QCOMPARE(format.value("channels").toObject(), (QJsonObject{{"4", 5}}));
            QCOMPARE(format.value("sample_types").toObject(), (QJsonObject{{"uint16", 5}}));
            QCOMPARE(format.value("width").toArray(), (QJsonArray{128, 128}));
            QCOMPARE(format.value("height").toArray(), (QJsonArray{96, 96}));
            QCOMPARE(format.value("dim").toInt(), 5);
        }
        const QJsonArray skipped = json.value("skipped").toArray();
        QCOMPARE(skipped.size(), 1);
        QCOMPARE(skipped[0].toObject().value("path").toString(),
                 QStringLiteral("round/three_channels.tif"));
        QVERIFY(skipped[0].toObject().value("reason").toString().startsWith(
            QLatin1String("it has 3 channels but the dataset's images have 4")));
        const QString warnings =
            json.value("warnings").toVariant().toStringList().join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QLatin1String("15 of 15 images are dim")), qPrintable(warnings));
        QVERIFY2(warnings.contains(QLatin1String("channel 4 is left out")), qPrintable(warnings));

        const CliRun text = runCli({QStringLiteral("scan"), dir.path()});
        QVERIFY2(text.out.contains(QLatin1String("ring      4 channels, 16-bit, 128 x 96 px")),
                 qPrintable(text.out));
    }

    void readableReport()
    {
        QTemporaryDir dir;
        QVERIFY(fixtures::writePattern(dir.path() + QStringLiteral("/train/cats/1.png"), 1));
        QVERIFY(fixtures::writePattern(dir.path() + QStringLiteral("/train/dogs/2.png"), 2));
        QVERIFY(
            fixtures::writeBytes(dir.path() + QStringLiteral("/train/dogs/3.png"), QByteArray()));
        const CliRun run = runCli({QStringLiteral("scan"), dir.path()});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String("class")) &&
                     run.out.contains(QLatin1String("cats")),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(QLatin1String("train/dogs/3.png: empty file")));
        QVERIFY(run.out.contains(QLatin1String("no validation folder")));
        QVERIFY(run.err.isEmpty());
    }

    void unusableDatasetExitsWithTwo()
    {
        QTemporaryDir dir;
        QVERIFY(fixtures::writePattern(dir.path() + QStringLiteral("/only/1.png"), 1));
        CliRun run = runCli({QStringLiteral("scan"), dir.path(), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(QLatin1String("Only one class ('only')")), qPrintable(run.err));
        run = runCli({QStringLiteral("scan"), dir.path() + QStringLiteral("/missing")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("does not exist")));
        run = runCli({QStringLiteral("scan"), dir.path(), QStringLiteral("--color-mode"),
                      QStringLiteral("sepia")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("--color-mode")));
        run = runCli({QStringLiteral("scan")});
        QCOMPARE(run.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestScanCli)
#include "tst_scancli.moc"
