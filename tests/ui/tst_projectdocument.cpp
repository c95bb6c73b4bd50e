// Tests of ProjectDocument: undoable edits, merging, modified state, save and open.
#include "projectdocument.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace studio;

class TestProjectDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsUntitledAndUnmodified()
    {
        ProjectDocument document;
        QVERIFY(sameProject(document.project(), defaultProject()));
        QVERIFY(!document.isModified());
        QVERIFY(document.filePath().isEmpty());
        QCOMPARE(document.displayName(), QStringLiteral("Untitled"));
        QCOMPARE(document.undoStack()->count(), 0);
    }

    void editsAreUndoable()
    {
        ProjectDocument document;
        QSignalSpy changed(&document, &ProjectDocument::projectChanged);
        QSignalSpy modified(&document, &ProjectDocument::modifiedChanged);
        TrainingSettings training = document.project().training;
        training.batchSize = 7;
        document.setTraining(training);
        QCOMPARE(document.project().training.batchSize, 7);
        QCOMPARE(changed.count(), 1);
        QVERIFY(document.isModified());
        QCOMPARE(modified.count(), 1);
        QCOMPARE(modified.last().first().toBool(), true);

        // The same project again is no edit.
        document.setTraining(training);
        QCOMPARE(document.undoStack()->count(), 1);

        document.undoStack()->undo();
        QCOMPARE(document.project().training.batchSize, 20);
        QVERIFY(!document.isModified());
        QCOMPARE(modified.last().first().toBool(), false);
        document.undoStack()->redo();
        QCOMPARE(document.project().training.batchSize, 7);
        QCOMPARE(changed.count(), 3);
    }

    void editsWithTheSameKeyMerge()
    {
        ProjectDocument document;
        TrainingSettings training = document.project().training;
        for (double rate : {0.1, 0.01, 0.001, 0.0005}) {
            training.learningRate = rate;
            document.setTraining(training, QStringLiteral("Change learning rate"),
                                 QStringLiteral("training.learning_rate"));
        }
        QCOMPARE(document.undoStack()->count(), 1);
        training.batchSize = 3;
        document.setTraining(training, QString(), QStringLiteral("training.batch_size"));
        QCOMPARE(document.undoStack()->count(), 2);
        document.undoStack()->undo();
        document.undoStack()->undo();
        QCOMPARE(document.project().training.learningRate, 1e-3);
        QCOMPARE(document.project().training.batchSize, 20);
    }

    void saveAndOpenRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("experiment.json"));
        ProjectDocument document;
        Project project = document.project();
        project.dataset.root = dir.filePath(QStringLiteral("images"));
        project.dataset.imageSize = 48;
        project.augmentation.rotationRange = 15;
        project.augmentation.horizontalFlip = true;
        project.model.layers.removeLast();
        project.training.epochs = 3;
        document.setProject(project);
        QVERIFY(document.isModified());

        QVERIFY(!document.save()); // no file yet
        QSignalSpy path_(&document, &ProjectDocument::filePathChanged);
        const Status saved = document.saveAs(path);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        QVERIFY(!document.isModified());
        QCOMPARE(document.filePath(), path);
        QCOMPARE(document.displayName(), QStringLiteral("experiment"));
        QCOMPARE(path_.count(), 1);

        ProjectDocument reopened;
        const Status opened = reopened.open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.error()));
        QVERIFY(sameProject(reopened.project(), project));
        QCOMPARE(reopened.project().dataset.root, project.dataset.root);
        QVERIFY(!reopened.isModified());
        QCOMPARE(reopened.undoStack()->count(), 0);
    }

    void openFailureChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broken.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"version\": \"1.0\", \"training\": {\"batch_size\": -3}}");
        file.close();
        ProjectDocument document;
        TrainingSettings training = document.project().training;
        training.epochs = 99;
        document.setTraining(training);
        const Status opened = document.open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.error().contains(QLatin1String("batch_size")), qPrintable(opened.error()));
        QCOMPARE(document.project().training.epochs, 99);
        QVERIFY(document.isModified());
    }

    void newProjectClearsHistory()
    {
        ProjectDocument document;
        TrainingSettings training = document.project().training;
        training.epochs = 99;
        document.setTraining(training);
        QSignalSpy modified(&document, &ProjectDocument::modifiedChanged);
        document.newProject();
        QCOMPARE(document.project().training.epochs, 10);
        QVERIFY(!document.isModified());
        QCOMPARE(document.undoStack()->count(), 0);
        QCOMPARE(modified.count(), 1);
    }

    void modelProblemFollowsTheStack()
    {
        ProjectDocument document;
        QVERIFY2(!document.hasModelProblem(), qPrintable(document.modelProblem()));
        QVERIFY(document.modelProblem().isEmpty());
        QSignalSpy summary(&document, &ProjectDocument::modelSummaryChanged);

        ModelSpec model = document.project().model;
        // A Dense layer straight after the input: Dense on an image-shaped input.
        model.layers.prepend(LayerSpec::dense(8, Activation::Relu));
        document.setModel(model);
        QVERIFY(document.hasModelProblem());
        QVERIFY2(document.modelProblem().contains(QLatin1String("Layer 1 (Dense)")),
                 qPrintable(document.modelProblem()));
        QVERIFY(summary.count() >= 1);
        document.undoStack()->undo();
        QVERIFY(!document.hasModelProblem());

        // Once the classes are known, the output layer is sized to them in one undoable step,
        // and the output size is checked against them.
        QSignalSpy sized(&document, &ProjectDocument::outputLayerSized);
        DatasetIndex index;
        index.classes = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        const int steps = document.undoStack()->index();
        document.setDatasetIndex(index);
        QCOMPARE(document.project().model.layers.last().units, 3);
        QCOMPARE(document.undoStack()->index(), steps + 1);
        QCOMPARE(sized.count(), 1);
        QVERIFY2(sized.at(0).at(0).toString().contains(QLatin1String("it had 10")),
                 qPrintable(sized.at(0).at(0).toString()));
        QVERIFY(!document.hasModelProblem());
        document.setDatasetIndex(index); // already sized: nothing more
        QCOMPARE(document.undoStack()->index(), steps + 1);
        QCOMPARE(sized.count(), 1);
        document.undoStack()->undo();
        QVERIFY(document.hasModelProblem()); // the seed template ends in Dense(10)
        document.clearDatasetIndex();
        QVERIFY(!document.hasModelProblem());
    }
};

QTEST_MAIN(TestProjectDocument)
#include "tst_projectdocument.moc"
