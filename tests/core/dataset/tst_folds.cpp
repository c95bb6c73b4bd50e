// Tests of groups, folds and explicit splits: groups from folders and file-name patterns stay in
// one split and one fold, folds are stratified, an explicit split reorders the index.
#include "dataset/datasetscanner.h"
#include "dataset/folds.h"
#include "dataset/imagecache.h"

#include "datasetfixtures.h"

#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;
using fixtures::writePattern;

namespace {

// ROOT/<class>/<specimen>/<i>.png: `specimens` specimens of `perSpecimen` images per class.
bool writeSpecimens(const QString& root, const QStringList& classes, int specimens, int perSpecimen)
{
    int n = 0;
    for (const QString& cls : classes) {
        for (int s = 0; s < specimens; ++s) {
            for (int i = 0; i < perSpecimen; ++i, ++n) {
                if (!writePattern(QStringLiteral("%1/%2/s%3/%4.png").arg(root, cls).arg(s).arg(i),
                                  n)) {
                    return false;
                }
            }
        }
    }
    return true;
}

DatasetSettings grouped(const QString& root)
{
    DatasetSettings settings;
    settings.root = root;
    settings.imageSize = 8;
    settings.groupBy = GroupBy::Folder;
    return settings;
}

// The splits each group's images are in.
QHash<QString, QSet<int>> splitsOfGroups(const QHash<QString, Split>& splits,
                                         const DatasetIndex& index, const DatasetSettings& settings)
{
    QHash<QString, QSet<int>> result;
    for (const DatasetItem& item : index.items) {
        result[groupOf(item.path, index.classes[item.label], settings)].insert(
            int(splits.value(item.path)));
    }
    return result;
}

} // namespace

class TestFolds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void groupsFromFoldersAndPatterns()
    {
        DatasetSettings s;
        QCOMPARE(groupOf(QStringLiteral("a/s1/x.png"), QStringLiteral("a"), s), QString());
        s.groupBy = GroupBy::Folder;
        QCOMPARE(groupOf(QStringLiteral("a/s1/x.png"), QStringLiteral("a"), s),
                 QStringLiteral("a/s1"));
        QCOMPARE(groupOf(QStringLiteral("train/a/s1/deep/x.png"), QStringLiteral("a"), s),
                 QStringLiteral("a/s1"));
        // An image right in its class folder is its own group.
        QCOMPARE(groupOf(QStringLiteral("a/x.png"), QStringLiteral("a"), s),
                 QStringLiteral("a/x.png"));
        s.groupBy = GroupBy::Pattern;
        s.groupPattern = QStringLiteral("^(slide\\d+)_");
        QCOMPARE(groupOf(QStringLiteral("a/slide12_003.png"), QStringLiteral("a"), s),
                 QStringLiteral("slide12"));
        QCOMPARE(groupOf(QStringLiteral("b/slide12_004.png"), QStringLiteral("b"), s),
                 QStringLiteral("slide12")); // one patient, two classes
        QCOMPARE(groupOf(QStringLiteral("a/other.png"), QStringLiteral("a"), s),
                 QStringLiteral("a/other.png"));
        s.groupPattern = QStringLiteral("P\\d+");
        QCOMPARE(groupOf(QStringLiteral("a/x_P7_1.png"), QStringLiteral("a"), s),
                 QStringLiteral("P7"));
    }

    // Single images dealt into five folds: every class spread evenly.
    void foldsAreStratified()
    {
        QTemporaryDir dir;
        QVERIFY(writeSpecimens(dir.path(), {QStringLiteral("x"), QStringLiteral("y")}, 20, 1));
        DatasetSettings settings = grouped(dir.path());
        settings.groupBy = GroupBy::None;
        ScanOptions options;
        options.writeManifest = false;
        const Result<DatasetIndex> index = scanDataset(settings, options);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        const auto folds = crossValidationFolds(*index, 5, 0.25, 7, settings);
        QVERIFY2(folds.ok(), qPrintable(folds.error()));
        QCOMPARE(folds->size(), 5);
        QHash<QString, int> timesTested;
        for (const QHash<QString, Split>& fold : *folds) {
            QCOMPARE(fold.size(), 40);
            int test[2] = {0, 0};
            int validation = 0;
            for (const DatasetItem& item : index->items) {
                if (fold.value(item.path) == Split::Test) {
                    ++test[item.label];
                    ++timesTested[item.path];
                } else if (fold.value(item.path) == Split::Validation) {
                    ++validation;
                }
            }
            QCOMPARE(test[0], 4);
            QCOMPARE(test[1], 4);
            QCOMPARE(validation, 8); // a quarter of the 32 training-fold images
        }
        QCOMPARE(timesTested.size(), 40);
        for (const int times : timesTested) {
            QCOMPARE(times, 1);
        }
        // The same seed, the same folds; another seed, others.
        QCOMPARE(*crossValidationFolds(*index, 5, 0.25, 7, settings), *folds);
        QVERIFY(*crossValidationFolds(*index, 5, 0.25, 8, settings) != *folds);
        QVERIFY(!crossValidationFolds(*index, 1, 0.25, 7, settings).ok());
        QVERIFY(!crossValidationFolds(*index, 41, 0.25, 7, settings).ok());
    }

    // Twelve specimens of two images per class: no specimen is in two splits of any fold, nor in
    // two splits of the automatic split.
    void groupsStayWhole()
    {
        QTemporaryDir dir;
        QVERIFY(writeSpecimens(dir.path(), {QStringLiteral("x"), QStringLiteral("y")}, 12, 2));
        const DatasetSettings settings = grouped(dir.path());
        const Result<DatasetIndex> index = scanDataset(settings);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        QCOMPARE(index->items.size(), 48);
        QHash<QString, Split> automatic;
        for (const DatasetItem& item : index->items) {
            automatic.insert(item.path, item.split);
        }
        const auto autoGroups = splitsOfGroups(automatic, *index, settings);
        QCOMPARE(autoGroups.size(), 24);
        for (auto it = autoGroups.constBegin(); it != autoGroups.constEnd(); ++it) {
            QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
        }
        QVERIFY(index->count(Split::Test) > 0 && index->count(Split::Validation) > 0);

        const auto folds = crossValidationFolds(*index, 3, 0.25, 1, settings);
        QVERIFY2(folds.ok(), qPrintable(folds.error()));
        for (const QHash<QString, Split>& fold : *folds) {
            const auto groups = splitsOfGroups(fold, *index, settings);
            for (auto it = groups.constBegin(); it != groups.constEnd(); ++it) {
                QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
            }
            int testPerClass[2] = {0, 0};
            for (const DatasetItem& item : index->items) {
                testPerClass[item.label] += fold.value(item.path) == Split::Test ? 1 : 0;
            }
            QCOMPARE(testPerClass[0], 8); // four specimens of each class
            QCOMPARE(testPerClass[1], 8);
        }
        QVERIFY(!crossValidationFolds(*index, 25, 0.25, 1, settings).ok()); // 24 groups
    }

    // A dataset that came split, with one specimen in train and test: a leakage warning.
    void groupInTwoSplitsIsReported()
    {
        QTemporaryDir dir;
        int n = 0;
        for (const QString& split :
             {QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test")}) {
            for (const QString& cls : {QStringLiteral("x"), QStringLiteral("y")}) {
                QVERIFY(writePattern(
                    QStringLiteral("%1/%2/%3/%3-%2/1.png").arg(dir.path(), split, cls), n++));
            }
        }
        QVERIFY(writePattern(dir.path() + QStringLiteral("/test/x/x-train/2.png"), n++));
        DatasetSettings settings = grouped(dir.path());
        Result<DatasetIndex> index = scanDataset(settings);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        const QString all = index->warnings.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("1 group(s) have images in more than one split: "
                                             "'x/x-train'")),
                 qPrintable(all));
        settings.groupBy = GroupBy::None;
        index = scanDataset(settings);
        QVERIFY(!index->warnings.join(QLatin1Char('\n')).contains(QStringLiteral("group(s)")));
    }

    // An explicit split reorders the index and its cache, and leaves out what it does not name.
    void explicitSplitsApply()
    {
        QTemporaryDir dir;
        QVERIFY(writeSpecimens(dir.path(), {QStringLiteral("x"), QStringLiteral("y")}, 3, 1));
        DatasetSettings settings = grouped(dir.path());
        settings.groupBy = GroupBy::None;
        ImageCache cache(ImageShape{8, 3}, 0);
        ScanOptions options;
        options.cache = &cache;
        options.writeManifest = false;
        Result<DatasetIndex> index = scanDataset(settings, options);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        QCOMPARE(index->items.size(), 6);
        QHash<QString, const uint8_t*> pixelsOf;
        for (int i = 0; i < index->items.size(); ++i) {
            pixelsOf.insert(index->items[i].path, cache.find(i).pixels);
        }
        const QHash<QString, Split> splits = {{QStringLiteral("x/s0/0.png"), Split::Test},
                                              {QStringLiteral("y/s1/0.png"), Split::Train},
                                              {QStringLiteral("x/s2/0.png"), Split::Validation},
                                              {QStringLiteral("y/s0/0.png"), Split::Train}};
        QVERIFY(applySplits(&*index, &cache, splits).ok());
        QCOMPARE(index->items.size(), 4);
        QCOMPARE(index->items[0].path, QStringLiteral("y/s0/0.png")); // train, by class, path
        QCOMPARE(index->items[1].path, QStringLiteral("y/s1/0.png"));
        QCOMPARE(index->items[2].split, Split::Validation);
        QCOMPARE(index->items[3].split, Split::Test);
        QVERIFY(index->hasValidation && index->hasTest);
        for (int i = 0; i < index->items.size(); ++i) {
            QCOMPARE(cache.find(i).pixels, pixelsOf.value(index->items[i].path));
        }
        const Status unknown =
            applySplits(&*index, &cache, {{QStringLiteral("gone.png"), Split::Train}});
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().contains(QStringLiteral("'gone.png'")));

        const QString file = dir.filePath(QStringLiteral("splits.json"));
        QVERIFY(saveSplits(file, splits).ok());
        const Result<QHash<QString, Split>> back = loadSplits(file);
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(*back, splits);
    }
};

QTEST_GUILESS_MAIN(TestFolds)
#include "tst_folds.moc"
