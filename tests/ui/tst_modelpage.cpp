// Tests of the Model page: editing the layer stack through the page and its table model, undo
// and redo, drag-to-reorder, templates, and the validation message of an invalid stack.
#include "layerform.h"
#include "layerstackmodel.h"
#include "modelpage.h"
#include "projectdocument.h"

#include "torchvisionbackbone.h"

#include <QApplication>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <memory>

using namespace studio;

namespace {

QStringList types(const ProjectDocument& document)
{
    QStringList names;
    for (const LayerSpec& layer : document.project().model.layers) {
        names.append(layerTypeName(layer.type));
    }
    return names;
}

ModelSpec smallStack()
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Valid, Activation::Relu),
                    LayerSpec::maxPooling2D(), LayerSpec::flatten(),
                    LayerSpec::dense(3, Activation::Softmax)};
    return model;
}

} // namespace

class TestModelPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableShowsTheSummary()
    {
        ProjectDocument document;
        document.setModel(smallStack());
        ModelPage page(&document);
        LayerStackModel* model = page.layerModel();
        QCOMPARE(model->rowCount(), 4);
        const auto text = [model](int row, int column) {
            return model->data(model->index(row, column)).toString();
        };
        QCOMPARE(text(0, LayerStackModel::TypeColumn), QStringLiteral("Conv2D"));
        // 64x64x3 input, 3x3 valid convolution with 4 filters.
        QCOMPARE(text(0, LayerStackModel::OutputShapeColumn), QStringLiteral("(None, 62, 62, 4)"));
        QCOMPARE(text(0, LayerStackModel::ParamsColumn), QStringLiteral("112"));
        QCOMPARE(text(2, LayerStackModel::OutputShapeColumn), QStringLiteral("(None, 3844)"));
        QVERIFY(text(0, LayerStackModel::ParametersColumn).contains(QLatin1String("relu")));
        // The form shows the selected layer as it is.
        auto* activation = page.layerForm()->findChild<QComboBox*>(QStringLiteral("activation"));
        QVERIFY(activation);
        for (int row : {0, 3}) {
            page.selectRow(row);
            QVERIFY(page.layerForm()->layer() == document.project().model.layers[row]);
            QCOMPARE(activation->currentText(),
                     activationName(document.project().model.layers[row].activation));
        }
        QVERIFY2(page.totalsText().contains(formatThousands(document.modelSummary().totalParams)),
                 qPrintable(page.totalsText()));
    }

    // Freezing through the table's check box and the page's button, the totals following; the
    // model to start from; each one undo step. An edit in the form keeps a frozen layer frozen.
    void freezingAndStartingFromAModel()
    {
        ProjectDocument document;
        document.setModel(smallStack());
        ModelPage page(&document);
        LayerStackModel* model = page.layerModel();
        QUndoStack* undo = document.undoStack();
        const qint64 all = document.modelSummary().trainableParams;
        const QModelIndex conv = model->index(0, LayerStackModel::FrozenColumn);
        QVERIFY(model->flags(conv).testFlag(Qt::ItemIsUserCheckable));
        QVERIFY(!model->flags(model->index(1, LayerStackModel::FrozenColumn))
                     .testFlag(Qt::ItemIsUserCheckable)); // pooling has no weights
        QCOMPARE(model->data(conv, Qt::CheckStateRole).toInt(), int(Qt::Unchecked));

        QVERIFY(model->setData(conv, Qt::Checked, Qt::CheckStateRole));
        QVERIFY(!document.project().model.layers[0].trainable);
        QCOMPARE(model->data(conv, Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(document.modelSummary().trainableParams, all - 112);
        QCOMPARE(document.modelSummary().nonTrainableParams, 112);
        QVERIFY2(page.totalsText().contains(QStringLiteral("non-trainable 112")),
                 qPrintable(page.totalsText()));
        auto* filters = page.layerForm()->findChild<QSpinBox*>(QStringLiteral("filters"));
        QVERIFY(filters);
        page.selectRow(0);
        filters->setValue(5);
        QCOMPARE(document.project().model.layers[0].filters, 5);
        QVERIFY(!document.project().model.layers[0].trainable);
        undo->undo();
        undo->undo();
        QVERIFY(document.project().model.layers[0].trainable);

        page.freezeAllButOutput();
        QVERIFY(!document.project().model.layers[0].trainable);
        QVERIFY(document.project().model.layers[3].trainable);
        QCOMPARE(document.modelSummary().trainableParams, document.modelSummary().layers[3].params);

        auto* startFrom = page.findChild<QLabel*>(QStringLiteral("startFrom"));
        QVERIFY(startFrom);
        QVERIFY(startFrom->text().contains(QStringLiteral("Random weights")));
        page.setStartFrom(QStringLiteral("/models/fashion/model.pt"));
        QCOMPARE(document.project().model.initFrom, QStringLiteral("/models/fashion/model.pt"));
        QVERIFY2(startFrom->text().contains(QStringLiteral("model.pt")),
                 qPrintable(startFrom->text()));
        QVERIFY(page.applyTemplate(QStringLiteral("small"))); // a template keeps the start
        QCOMPARE(document.project().model.initFrom, QStringLiteral("/models/fashion/model.pt"));
        undo->undo();
        undo->undo();
        QVERIFY(document.project().model.initFrom.isEmpty());
    }

    // Use a Feature Extractor…: a torchvision backbone exported as the README shows replaces
    // the convolutions (one undo step, the image size set to its input), the form shows what
    // it expects and gives; a file it cannot use changes nothing and says why.
    void usesAFeatureExtractor()
    {
        QTemporaryDir dir;
        const QString backbone = dir.filePath(QStringLiteral("resnet18.pt"));
        STUDIO_EXPORT_TORCHVISION_BACKBONE(backbone, 48);

        ProjectDocument document;
        document.setModel(smallStack());
        ModelPage page(&document);
        const Project before = document.project();
        QSignalSpy done(&page, &ModelPage::featureExtractorDone);
        page.useFeatureExtractor(dir.filePath(QStringLiteral("none.pt")));
        QTRY_COMPARE(done.size(), 1);
        const QString error = done.takeFirst().at(0).toString();
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
        QCOMPARE(document.project().model, before.model);

        // The backbone is read off the GUI thread: the button waits, the page says so.
        page.useFeatureExtractor(backbone);
        auto* button = page.findChild<QPushButton*>(QStringLiteral("useFeatureExtractor"));
        QVERIFY(button != nullptr);
        QVERIFY(!button->isEnabled());
        QVERIFY(page.isReadingFeatureExtractor());
        QVERIFY2(page.findChild<QLabel*>(QStringLiteral("templateNote"))
                     ->text()
                     .contains(QStringLiteral("Reading resnet18.pt")),
                 "the page does not say it is reading the file");
        QCOMPARE(document.project().model, before.model);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QCOMPARE(done.takeFirst().at(0).toString(), QString());
        QVERIFY(button->isEnabled());
        QVERIFY(!page.isReadingFeatureExtractor());
        QCOMPARE(types(document),
                 (QStringList{QStringLiteral("FeatureExtractor"), QStringLiteral("Dense")}));
        const FeatureExtractorSpec& extractor = document.project().model.layers[0].extractor;
        QCOMPARE(extractor.features, 512);
        QCOMPARE(extractor.inputSize, (Size2{48, 48}));
        QCOMPARE(document.project().dataset.imageSize, 48);
        QVERIFY2(!document.modelSummary().hasErrors(),
                 qPrintable(document.modelSummary().errorText()));
        QCOMPARE(document.modelSummary().nonTrainableParams, qint64(11176512));
        QVERIFY2(page.totalsText().contains(QStringLiteral("trainable 1,539")),
                 qPrintable(page.totalsText()));

        page.selectRow(0);
        auto* features = page.layerForm()->findChild<QLabel*>(QStringLiteral("features"));
        QVERIFY(features);
        QVERIFY(features->isVisibleTo(page.layerForm()));
        QVERIFY2(features->text().contains(QStringLiteral("512 per image")),
                 qPrintable(features->text()));
        auto* input = page.layerForm()->findChild<QLabel*>(QStringLiteral("input_size"));
        QCOMPARE(input->text(), QStringLiteral("48×48, 3 channels"));
        QCOMPARE(page.layerForm()->findChild<QLabel*>(QStringLiteral("std"))->text(),
                 QStringLiteral("0.229, 0.224, 0.225"));
        QVERIFY(!page.layerForm()->findChild<QComboBox*>(QStringLiteral("type"))->isEnabled());

        document.undoStack()->undo();
        QCOMPARE(document.project().model, before.model);
        QCOMPARE(document.project().dataset.imageSize, before.dataset.imageSize);
    }

    void editUndoRedo()
    {
        ProjectDocument document;
        document.setModel(smallStack());
        document.undoStack()->clear();
        ModelPage page(&document);
        const QStringList original = types(document);

        page.selectRow(1);
        page.addLayer(LayerType::Dropout);
        QCOMPARE(types(document).value(2), QStringLiteral("Dropout"));
        QCOMPARE(page.currentRow(), 2);
        QCOMPARE(page.layerModel()->rowCount(), 5);

        page.duplicateCurrent();
        QCOMPARE(types(document).mid(2, 2),
                 (QStringList{QStringLiteral("Dropout"), QStringLiteral("Dropout")}));
        page.removeCurrent();
        page.selectRow(2);
        page.moveCurrent(-1); // Dropout before MaxPooling2D
        QCOMPARE(types(document).mid(1, 2),
                 (QStringList{QStringLiteral("Dropout"), QStringLiteral("MaxPooling2D")}));
        QCOMPARE(page.currentRow(), 1);

        // Through the form: the filters of the first layer, typed as several values.
        page.selectRow(0);
        auto* filters = page.layerForm()->findChild<QSpinBox*>(QStringLiteral("filters"));
        QVERIFY(filters);
        filters->setValue(1);
        filters->setValue(16);
        QCOMPARE(document.project().model.layers[0].filters, 16);
        QCOMPARE(document.undoStack()->count(), 5); // add, duplicate, remove, move, filters

        QUndoStack* stack = document.undoStack();
        stack->undo();
        QCOMPARE(document.project().model.layers[0].filters, 4);
        QCOMPARE(filters->value(), 4);
        while (stack->canUndo()) {
            stack->undo();
        }
        QCOMPARE(types(document), original);
        QCOMPARE(page.layerModel()->rowCount(), 4);
        while (stack->canRedo()) {
            stack->redo();
        }
        QCOMPARE(types(document).mid(1, 2),
                 (QStringList{QStringLiteral("Dropout"), QStringLiteral("MaxPooling2D")}));
        QCOMPARE(document.project().model.layers[0].filters, 16);
    }

    void dragToReorder()
    {
        ProjectDocument document;
        document.setModel(smallStack());
        ModelPage page(&document);
        LayerStackModel* model = page.layerModel();
        QMimeData* data = model->mimeData({model->index(0, 0)});
        QVERIFY(data);
        // Drop the Conv2D between Flatten and Dense (row 3): it becomes the third layer.
        QVERIFY(!model->dropMimeData(data, Qt::MoveAction, 3, 0, QModelIndex()));
        delete data;
        QCOMPARE(types(document),
                 (QStringList{QStringLiteral("MaxPooling2D"), QStringLiteral("Flatten"),
                              QStringLiteral("Conv2D"), QStringLiteral("Dense")}));
        document.undoStack()->undo();
        QCOMPARE(types(document).first(), QStringLiteral("Conv2D"));

        // The same move as the mouse makes it: drag events on the table's viewport, dropped
        // on the upper edge of the fourth row (Dense).
        page.resize(900, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTableView* view = page.layerView();
        QWidget* viewport = view->viewport();
        const QRect target = view->visualRect(model->index(3, 0));
        const QPoint at(target.center().x(), target.top() + 1);
        std::unique_ptr<QMimeData> dragged(model->mimeData({model->index(0, 0)}));
        QDragEnterEvent enter(at, Qt::MoveAction, dragged.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(at, Qt::MoveAction, dragged.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
        QVERIFY(move.isAccepted());
        QDropEvent drop(QPointF(at), Qt::MoveAction, dragged.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);
        QCOMPARE(types(document),
                 (QStringList{QStringLiteral("MaxPooling2D"), QStringLiteral("Flatten"),
                              QStringLiteral("Conv2D"), QStringLiteral("Dense")}));
        QCOMPARE(document.project().model.layers.size(), 4); // moved, not copied
        document.undoStack()->undo();
        QCOMPARE(types(document).first(), QStringLiteral("Conv2D"));
    }

    void invalidStackShowsTheMessage()
    {
        ProjectDocument document;
        document.setModel(smallStack());
        ModelPage page(&document);
        QVERIFY(!document.hasModelProblem());
        page.selectRow(2);
        page.removeCurrent(); // no Flatten: Dense on an image-shaped input
        QVERIFY(document.hasModelProblem());
        const QString problem = document.modelProblem();
        QVERIFY2(problem.contains(QLatin1String("Layer 3 (Dense)")), qPrintable(problem));
        QVERIFY(page.problemText().contains(problem));
        QVERIFY(page.layerModel()->hasError(2));
        QCOMPARE(
            page.layerModel()->data(page.layerModel()->index(2, 0), Qt::ToolTipRole).toString(),
            page.layerModel()->issueText(2));
        QVERIFY(!page.layerModel()->issueText(2).isEmpty());

        QVERIFY(page.applyFirstFix()); // inserts the Flatten again
        QVERIFY2(!document.hasModelProblem(), qPrintable(document.modelProblem()));
        document.undoStack()->undo();
        QVERIFY(document.hasModelProblem());
    }

    void templatesFitTheClasses()
    {
        ProjectDocument document;
        DatasetIndex index;
        index.classes = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        document.setDatasetIndex(index);
        DatasetSettings dataset = document.project().dataset;
        dataset.imageSize = 100; // not a size the template is meant for
        document.setDataset(dataset);
        ModelPage page(&document);
        const Project before = document.project();
        QCOMPARE(before.dataset.colorMode, ColorMode::Rgb);
        QVERIFY(page.applyTemplate(QStringLiteral("small")));
        QCOMPARE(document.project().model.layers.last().units, 3);
        QVERIFY2(!document.hasModelProblem(), qPrintable(document.modelProblem()));
        // The template is for 28 px grayscale images: the loading settings follow, in the same
        // undo step, and the page says so.
        QCOMPARE(document.project().dataset.imageSize, 28);
        QCOMPARE(document.project().dataset.colorMode, ColorMode::Grayscale);
        auto* note = page.findChild<QLabel*>(QStringLiteral("templateNote"));
        QVERIFY(note != nullptr);
        QVERIFY2(note->text().contains(QLatin1String("image_size")), qPrintable(note->text()));
        QVERIFY(note->text().contains(QLatin1String("color_mode")));
        document.undoStack()->undo();
        QCOMPARE(document.project().dataset.imageSize, before.dataset.imageSize);
        QCOMPARE(document.project().dataset.colorMode, ColorMode::Rgb);
        QCOMPARE(document.project().model.layers.size(), before.model.layers.size());
        QVERIFY(!page.applyTemplate(QStringLiteral("no-such-template")));
    }
};

QTEST_MAIN(TestModelPage)
#include "tst_modelpage.moc"
