// Tests of the Data page on a small generated dataset: counts, chart, skipped files,
// thumbnails, the augmentation preview, and that edits go through the document.
#include "channelview.h"
#include "classbalancechart.h"
#include "classcountsmodel.h"
#include "datapage.h"
#include "projectdocument.h"
#include "qcustomplotwrapper.h"
#include "recentfiles.h"
#include "sciencedataset.h"
#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QCheckBox>
#include <QDesktopServices>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QUrl>
#include <QtTest>

using namespace studio;

namespace {

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// Opens `folder` on `page` and waits for its scan.
bool openAndWait(DataPage& page, const QString& folder)
{
    QSignalSpy finished(&page, &DataPage::scanFinished);
    page.openFolder(folder);
    if (!finished.wait(30000)) {
        return false;
    }
    return finished.last().first().toBool();
}

} // namespace

// Receives the URLs QDesktopServices would open (instead of a file manager).
class UrlCatcher : public QObject
{
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl& url) { urls << url; }
};

class TestDataPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        uitest::useFreshSettings();
        QVERIFY(m_dir.isValid());
        testdata::makeShapes(m_dir.path(), QStringLiteral("train"), 6, 1);
        testdata::makeShapes(m_dir.path(), QStringLiteral("validation"), 2, 2);
        testdata::makeShapes(m_dir.path(), QStringLiteral("test"), 3, 3);
        // One more training disc, and a file that is no image.
        testdata::makeShapes(m_dir.filePath(QStringLiteral("extra")), QStringLiteral("train"), 1,
                             4);
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("extra/train/discs/0.png")),
                            m_dir.filePath(QStringLiteral("train/discs/extra.png"))));
        QVERIFY(QDir(m_dir.filePath(QStringLiteral("extra"))).removeRecursively());
        writeFile(m_dir.filePath(QStringLiteral("train/bars/notes.png")), "not an image");
    }

    void opensAFolderAndCounts()
    {
        ProjectDocument document;
        RecentFiles recent(QStringLiteral("recent/datasets"), 5);
        DataPage page(&document, &recent);
        QVERIFY(openAndWait(page, m_dir.path()));
        QVERIFY(!page.isScanning());
        QCOMPARE(document.project().dataset.root, QDir(m_dir.path()).absolutePath());
        QCOMPARE(document.project().dataset.splitMode, SplitMode::Folders);
        QVERIFY(document.hasDatasetIndex());
        QCOMPARE(document.classNames(),
                 (QStringList{QStringLiteral("bars"), QStringLiteral("discs"),
                              QStringLiteral("squares")}));

        const ClassCountsModel* counts = page.countsModel();
        QCOMPARE(counts->rowCount(), 4); // three classes and the total
        const auto cell = [counts](int row, int column) {
            return counts->data(counts->index(row, column)).toInt();
        };
        QCOMPARE(counts->data(counts->index(1, ClassCountsModel::ClassColumn)).toString(),
                 QStringLiteral("discs"));
        QCOMPARE(cell(0, ClassCountsModel::TrainColumn), 6); // notes.png is skipped
        QCOMPARE(cell(1, ClassCountsModel::TrainColumn), 7);
        QCOMPARE(cell(2, ClassCountsModel::TrainColumn), 6);
        QCOMPARE(cell(1, ClassCountsModel::ValidationColumn), 2);
        QCOMPARE(cell(2, ClassCountsModel::TestColumn), 3);
        QCOMPARE(cell(1, ClassCountsModel::TotalColumn), 12);
        QCOMPARE(cell(3, ClassCountsModel::TrainColumn), 19);
        QCOMPARE(cell(3, ClassCountsModel::TotalColumn), 19 + 6 + 9);
        QVERIFY2(page.statusText().contains(QLatin1String("19 training")),
                 qPrintable(page.statusText()));

        QCOMPARE(page.chart()->values(0), (QVector<double>{6, 7, 6}));
        QCOMPARE(page.chart()->values(2), (QVector<double>{3, 3, 3}));

        // The skipped file is listed with its reason and its absolute path.
        bool listed = false;
        for (int i = 0; i < page.warningsList()->count(); ++i) {
            const QListWidgetItem* item = page.warningsList()->item(i);
            if (item->text().contains(QLatin1String("notes.png"))) {
                listed = true;
                QVERIFY(item->text().size() > QStringLiteral("train/bars/notes.png: ").size());
                QCOMPARE(item->data(Qt::UserRole + 1).toString(),
                         m_dir.filePath(QStringLiteral("train/bars/notes.png")));
            }
        }
        QVERIFY(listed);
        QCOMPARE(recent.paths().value(0), QDir(m_dir.path()).absolutePath());

        // A double-click on the warning opens its folder in the file manager.
        UrlCatcher catcher;
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &catcher, "open");
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QListWidget* warnings = page.warningsList();
        auto* tabs = page.findChild<QTabWidget*>();
        QVERIFY(tabs != nullptr);
        tabs->setCurrentWidget(warnings); // the Warnings tab
        QVERIFY(warnings->isVisible());
        const auto found = warnings->findItems(QStringLiteral("notes.png"), Qt::MatchContains);
        QCOMPARE(found.size(), 1);
        warnings->scrollToItem(found.first());
        const QPoint at = warnings->visualItemRect(found.first()).center();
        QTest::mouseClick(warnings->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTest::mouseDClick(warnings->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
        QCOMPARE(catcher.urls.size(), 1);
        QCOMPARE(
            catcher.urls.first(),
            QUrl::fromLocalFile(QDir(m_dir.filePath(QStringLiteral("train/bars"))).absolutePath()));

        // Opening a folder is one undoable edit, and sizing the output layer (10 units in the
        // default network) to the three classes another.
        QCOMPARE(document.undoStack()->count(), 2);
        QCOMPARE(document.project().model.layers.last().units, 3);
        QVERIFY(document.isModified());
    }

    void thumbnailsOfAClass()
    {
        ProjectDocument document;
        DataPage page(&document, nullptr);
        page.resize(900, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(openAndWait(page, m_dir.path()));
        page.findChild<QTabWidget*>()->setCurrentWidget(page.thumbnailList()->parentWidget());
        QSignalSpy loaded(&page, &DataPage::thumbnailsLoaded);
        page.showClass(1);
        QCoreApplication::processEvents(); // lays the items out before their icons arrive
        QVERIFY(loaded.count() > 0 || loaded.wait(10000)); // they may have arrived already
        QCOMPARE(page.thumbnailList()->count(), 7 + 2 + 3);
        const int side = page.thumbnailList()->iconSize().height();
        for (int i = 0; i < page.thumbnailList()->count(); ++i) {
            QListWidgetItem* item = page.thumbnailList()->item(i);
            QVERIFY(!item->icon().isNull());
            // The cells hold a whole icon, not a strip of it.
            const QRect cell = page.thumbnailList()->visualItemRect(item);
            QVERIFY2(cell.height() >= side, qPrintable(QString::number(cell.height())));
        }
    }

    // A dim 4-channel 16-bit TIFF dataset: the table says what the images are, the warnings
    // say they are dim and that the colour mode drops a channel, and the thumbnails (which Qt
    // cannot read) are visible false-colour composites.
    void scientificImagesAreDescribedAndVisible()
    {
        QTemporaryDir dir;
        testdata::ScienceCells cells;
        cells.perClass = 4;
        cells.channels = 4;
        cells.classChannel = 3;
        testdata::makeScienceCells(dir.path(), cells);
        ProjectDocument document;
        DataPage page(&document, nullptr);
        QVERIFY(openAndWait(page, dir.path()));
        const ClassCountsModel* counts = page.countsModel();
        QCOMPARE(counts->data(counts->index(0, ClassCountsModel::FormatColumn)).toString(),
                 QStringLiteral("4 channels, 16-bit, 128 x 96 px"));
        QCOMPARE(counts->headerData(ClassCountsModel::FormatColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Images"));
        QStringList warnings;
        auto* list = page.findChild<QListWidget*>(QStringLiteral("warningsList"));
        QVERIFY(list != nullptr);
        for (int i = 0; i < list->count(); ++i) {
            warnings << list->item(i)->text();
        }
        const QString all = warnings.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("12 of 12 images are dim")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("channel 4 is left out")), qPrintable(all));
        // The folder's first scan proposed every channel and percentiles, saying why; one undo
        // takes the proposal back.
        QVERIFY2(all.contains(QLatin1String("Proposed: The images have 4 channels")),
                 qPrintable(all));
        QCOMPARE(document.project().dataset.channelList, (QVector<int>{0, 1, 2, 3}));
        QCOMPARE(document.project().dataset.normalization, Normalization::Percentile);
        QUndoStack* undo = document.undoStack();
        const QString proposed =
            QStringLiteral("Use the proposed channels and brightness normalisation");
        while (undo->canUndo() && undo->undoText() != proposed) {
            undo->undo(); // the output layer sized to the classes, after the scan
        }
        QCOMPARE(undo->undoText(), proposed);
        undo->undo();
        QVERIFY(document.project().dataset.channelList.isEmpty());
        QCOMPARE(document.project().dataset.normalization, Normalization::Legacy);
        undo->redo();

        QSignalSpy loaded(&page, &DataPage::thumbnailsLoaded);
        page.showClass(1);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(page.thumbnailList()->count(), 4);
        for (int i = 0; i < page.thumbnailList()->count(); ++i) {
            const QImage thumb =
                page.thumbnailList()->item(i)->icon().pixmap(QSize(96, 96)).toImage();
            QVERIFY(!thumb.isNull());
            int brightest = 0;
            for (int y = 0; y < thumb.height(); ++y) {
                for (int x = 0; x < thumb.width(); ++x) {
                    brightest = std::max(brightest, qGray(thumb.pixel(x, y)));
                }
            }
            QVERIFY2(brightest > 128, qPrintable(QString::number(brightest)));
        }

        // The Channels tab shows the sample's four channels and their histograms.
        QSignalSpy channels(&page, &DataPage::channelsUpdated);
        QVERIFY(channels.wait(10000) || page.channelView()->channelPanels() == 4);
        QCOMPARE(page.channelView()->channelPanels(), 4);
        QCOMPARE(page.channelView()->preview().path, page.previewSample());
        QCOMPARE(page.channelView()
                     ->findChildren<QCustomPlot*>(QStringLiteral("channelHistogram"))
                     .size(),
                 4);
        QCOMPARE(page.channelView()
                     ->findChildren<QCustomPlot*>(QStringLiteral("normalisedHistogram"))
                     .size(),
                 4);

        // Clearing channel 2's check box leaves it out: an undoable edit of the channels, and
        // the tab shows three histograms after normalisation; undo brings it back.
        QList<QCheckBox*> picks =
            page.channelView()->findChildren<QCheckBox*>(QStringLiteral("channelPicked"));
        QCOMPARE(picks.size(), 4);
        for (QCheckBox* box : picks) {
            QVERIFY(box->isChecked());
        }
        picks[1]->setChecked(false);
        QCOMPARE(document.project().dataset.channelList, (QVector<int>{0, 2, 3}));
        QCOMPARE(undo->undoText(), QStringLiteral("Choose the channels the network sees"));
        QVERIFY(channels.wait(10000));
        QCOMPARE(page.channelView()
                     ->findChildren<QCustomPlot*>(QStringLiteral("normalisedHistogram"))
                     .size(),
                 3);
        picks = page.channelView()->findChildren<QCheckBox*>(QStringLiteral("channelPicked"));
        QVERIFY(!picks[1]->isChecked());
        picks[1]->setChecked(true); // ticked again: it comes last
        QCOMPARE(document.project().dataset.channelList, (QVector<int>{0, 2, 3, 1}));
        undo->undo();
        undo->undo();
        QCOMPARE(document.project().dataset.channelList, (QVector<int>{0, 1, 2, 3}));

        // The augmentation preview shows what the network sees: the dim cells normalised by
        // their percentiles are bright (8-bit conversion left them under a tenth of white).
        QSignalSpy updated(&page, &DataPage::previewUpdated);
        QVERIFY(updated.count() > 0 || updated.wait(10000) || !page.previewImages().isEmpty());
        QVERIFY(!page.previewImages().isEmpty());
        int brightest = 0;
        const QImage seen = page.previewImages().first();
        for (int y = 0; y < seen.height(); ++y) {
            for (int x = 0; x < seen.width(); ++x) {
                brightest = std::max(brightest, qGray(seen.pixel(x, y)));
            }
        }
        QVERIFY2(brightest > 150, qPrintable(QString::number(brightest)));
    }

    void augmentationPreview()
    {
        ProjectDocument document;
        DataPage page(&document, nullptr);
        QVERIFY(openAndWait(page, m_dir.path()));
        QSignalSpy updated(&page, &DataPage::previewUpdated);
        QVERIFY(updated.wait(10000));
        QCOMPARE(page.previewImages().size(), DataPage::kPreviewCount);
        const int size = document.project().dataset.imageSize;
        QCOMPARE(page.previewImages().first().size(), QSize(size, size));
        QVERIFY(page.previewSample().endsWith(QLatin1String(".png")));

        // A strong rotation through the form: an undoable edit, and different previews.
        auto* rotation =
            page.findChild<QDoubleSpinBox*>(QStringLiteral("augmentation.rotation_range"));
        QVERIFY(rotation);
        const QVector<QImage> before = page.previewImages();
        rotation->setValue(90);
        QCOMPARE(document.project().augmentation.rotationRange, 90.0);
        QVERIFY(updated.wait(10000));
        const QVector<QImage> rotated = page.previewImages();
        QCOMPARE(rotated.size(), DataPage::kPreviewCount);
        QVERIFY(rotated != before);

        page.rerollPreview();
        QVERIFY(updated.wait(10000));
        QVERIFY(page.previewImages() != rotated);

        document.undoStack()->undo();
        QCOMPARE(document.project().augmentation.rotationRange, 0.0);
        QCOMPARE(rotation->value(), 0.0);
    }

    void missingFolderIsReported()
    {
        ProjectDocument document;
        DataPage page(&document, nullptr);
        page.openFolder(QStringLiteral("/nonexistent/dataset"));
        QVERIFY(page.statusText().contains(QLatin1String("does not exist")));
        QVERIFY(document.project().dataset.root.isEmpty());
    }

    void unusableFolderFails()
    {
        QTemporaryDir empty;
        ProjectDocument document;
        DataPage page(&document, nullptr);
        QVERIFY(!openAndWait(page, empty.path()));
        QVERIFY(!page.statusText().isEmpty());
        QVERIFY(!document.hasDatasetIndex());
        QCOMPARE(page.countsModel()->rowCount(), 0);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestDataPage)
#include "tst_datapage.moc"
