// The Augmentation form against the project file: every value its fields can take, the maxima
// and minima included, saves and opens again (a form maximum the reader refused lost the
// project).
#include "augmentationform.h"

#include "project/project.h"

#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

class TestAugmentationForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFieldsRangeSavesAndOpensAgain()
    {
        AugmentationForm form;
        QTemporaryDir dir;
        const QList<QDoubleSpinBox*> spins = form.findChildren<QDoubleSpinBox*>();
        QVERIFY(spins.size() >= 4);
        for (const bool maximum : {true, false}) {
            for (QDoubleSpinBox* spin : spins) {
                spin->setValue(maximum ? spin->maximum() : spin->minimum());
            }
            Project project = defaultProject();
            project.augmentation = form.settings();
            const QString path =
                dir.filePath(maximum ? QStringLiteral("max.json") : QStringLiteral("min.json"));
            const Status saved = saveProject(path, project);
            QVERIFY2(saved.ok(), qPrintable(saved.error()));
            const Result<LoadedProject> loaded = loadProject(path);
            QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
            QCOMPARE(projectToJson(loaded->project, dir.path()),
                     projectToJson(project, dir.path()));
        }
    }

    // Whatever makes a project the reader would refuse, saving refuses it with the reader's
    // message and writes nothing.
    void savingRefusesWhatCannotOpenAgain()
    {
        QTemporaryDir dir;
        Project project = defaultProject();
        project.augmentation.widthShiftRange = 1.0;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        const Status saved = saveProject(path, project);
        QVERIFY(!saved.ok());
        QVERIFY2(saved.error().contains(QStringLiteral("augmentation.width_shift_range")) &&
                     saved.error().contains(QStringLiteral("Nothing was written")),
                 qPrintable(saved.error()));
        QVERIFY(!QFileInfo::exists(path));
    }
};

QTEST_MAIN(TestAugmentationForm)
#include "tst_augmentationform.moc"
