// The images of a split as a model sees them: the split's items in the scan's order with their
// labels and absolute paths; another dataset's classes, an empty split and a missing folder are
// refused with a message naming the folder.
#include "export/modelsplit.h"

#include "shapesdataset.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace studio;

class TestModelSplit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 4, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 2, 2);
        m_metadata.classes = {QStringLiteral("bars"), QStringLiteral("discs"),
                              QStringLiteral("squares")};
        m_metadata.input.imageSize = 16;
    }

    void listsTheSplitsImages()
    {
        const Result<ModelSplit> split = scanSplitForModel(m_metadata, m_data.path(), Split::Test);
        QVERIFY2(split.ok(), qPrintable(split.error()));
        QCOMPARE(split->items.size(), 6);
        const QStringList files = split->files();
        QCOMPARE(files.size(), 6);
        for (int i = 0; i < files.size(); ++i) {
            const DatasetItem& item = split->items[i];
            QVERIFY(item.path.startsWith(QStringLiteral("test/")));
            QCOMPARE(item.path.section(QLatin1Char('/'), 1, 1),
                     m_metadata.classes.value(item.label));
            QCOMPARE(files[i], QDir(split->root).filePath(item.path));
            QVERIFY2(QFileInfo::exists(files[i]), qPrintable(files[i]));
        }
        const Result<ModelSplit> train = scanSplitForModel(m_metadata, m_data.path(), Split::Train);
        QVERIFY(train.ok());
        QCOMPARE(train->items.size(), 12);
    }

    void refusesAnotherDatasetsClasses()
    {
        ModelMetadata other = m_metadata;
        other.classes = {QStringLiteral("cats"), QStringLiteral("dogs")};
        const Result<ModelSplit> split = scanSplitForModel(other, m_data.path(), Split::Test);
        QVERIFY(!split.ok());
        QVERIFY2(split.error().contains(QStringLiteral("are not the model's (cats, dogs)")),
                 qPrintable(split.error()));
        QVERIFY(split.error().contains(m_data.path()));
    }

    void refusesAnEmptySplit()
    {
        const Result<ModelSplit> split =
            scanSplitForModel(m_metadata, m_data.path(), Split::Validation);
        QVERIFY(!split.ok());
        QVERIFY2(split.error().contains(QStringLiteral("has no validation images")),
                 qPrintable(split.error()));
    }

    void refusesAMissingFolder()
    {
        const QString missing = m_data.filePath(QStringLiteral("nowhere"));
        const Result<ModelSplit> split = scanSplitForModel(m_metadata, missing, Split::Test);
        QVERIFY(!split.ok());
        QVERIFY2(split.error().contains(QStringLiteral("nowhere")), qPrintable(split.error()));
    }

private:
    QTemporaryDir m_data;
    ModelMetadata m_metadata;
};

QTEST_MAIN(TestModelSplit)
#include "tst_modelsplit.moc"
