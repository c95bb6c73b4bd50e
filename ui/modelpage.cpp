#include "modelpage.h"

#include "backgroundrunner.h"
#include "layerform.h"
#include "layerstackmodel.h"
#include "projectdocument.h"

#include "dataset/datasetschema.h"
#include "dataset/datasetsettings.h"
#include "model/featureextractor.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace studio {

namespace {

// What each layer type does, in the tutorial's words.
QString layerDescription(LayerType type)
{
    switch (type) {
    case LayerType::Conv2D:
        return QObject::tr("Slides small filters over its input to detect features, keeping "
                           "where they are in the image.");
    case LayerType::MaxPooling2D:
        return QObject::tr("Keeps the largest value of each window (2×2 by default), halving "
                           "the image's height and width.");
    case LayerType::AveragePooling2D:
        return QObject::tr("Averages each window, halving the image's height and width.");
    case LayerType::GlobalAveragePooling2D:
        return QObject::tr("Averages each feature map to one number: a light alternative to "
                           "Flatten before the Dense layers.");
    case LayerType::Flatten:
        return QObject::tr("Turns the image-shaped features into one long vector for the Dense "
                           "layers.");
    case LayerType::Dense:
        return QObject::tr("A fully-connected layer of neurons. The last one has one unit per "
                           "class and softmax activation.");
    case LayerType::Dropout:
        return QObject::tr("Sets a random fraction of its inputs to zero during training, "
                           "against over-fitting.");
    case LayerType::BatchNormalization:
        return QObject::tr("Normalises its inputs batch by batch; often makes training faster "
                           "and steadier.");
    case LayerType::Activation:
        return QObject::tr("Applies an activation function on its own.");
    case LayerType::FeatureExtractor:
        return QObject::tr("A frozen network exported by a colleague (TorchScript) that turns "
                           "each image into features; add it with Use a Feature Extractor….");
    }
    return {};
}

// A new layer of `type` with the tutorial's usual settings.
LayerSpec defaultLayer(LayerType type)
{
    switch (type) {
    case LayerType::Conv2D:
        return LayerSpec::conv2D(32, {3, 3}, Padding::Valid, Activation::Relu);
    case LayerType::MaxPooling2D:
        return LayerSpec::maxPooling2D();
    case LayerType::AveragePooling2D:
        return LayerSpec::averagePooling2D();
    case LayerType::GlobalAveragePooling2D:
        return LayerSpec::globalAveragePooling2D();
    case LayerType::Flatten:
        return LayerSpec::flatten();
    case LayerType::Dense:
        return LayerSpec::dense(128, Activation::Relu);
    case LayerType::Dropout:
        return LayerSpec::dropout(0.5);
    case LayerType::BatchNormalization:
        return LayerSpec::batchNormalization();
    case LayerType::Activation:
        return LayerSpec::activationLayer(Activation::Relu);
    case LayerType::FeatureExtractor:
        return LayerSpec::featureExtractor({}); // chosen by file: Use a Feature Extractor…
    }
    return {};
}

QPushButton* makeButton(const QString& text, const QString& tip, const QKeySequence& shortcut)
{
    auto* button = new QPushButton(text);
    button->setToolTip(shortcut.isEmpty() ? tip
                                          : QStringLiteral("%1 (%2)").arg(
                                                tip, shortcut.toString(QKeySequence::NativeText)));
    if (!shortcut.isEmpty()) {
        button->setShortcut(shortcut);
    }
    return button;
}

} // namespace

ModelPage::ModelPage(ProjectDocument* document, QWidget* parent)
    : QWidget(parent), m_document(document), m_model(new LayerStackModel(document, this)),
      m_runner(new BackgroundRunner(QStringLiteral("model page"), this))
{
    setObjectName(QStringLiteral("modelPage"));
    auto* layout = new QHBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Horizontal);
    layout->addWidget(splitter);
    splitter->addWidget(buildSidebar());

    auto* center = new QWidget;
    auto* centerLayout = new QVBoxLayout(center);
    centerLayout->setContentsMargins(0, 0, 0, 0);
    auto* buttons = new QHBoxLayout;
    m_removeButton = makeButton(tr("Remove"), tr("Remove the selected layer"),
                                QKeySequence(Qt::CTRL | Qt::Key_Delete));
    m_duplicateButton = makeButton(tr("Duplicate"), tr("Insert a copy of the selected layer"),
                                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_upButton = makeButton(tr("Move Up"), tr("Move the selected layer towards the input"),
                            QKeySequence(Qt::ALT | Qt::Key_Up));
    m_downButton = makeButton(tr("Move Down"), tr("Move the selected layer towards the output"),
                              QKeySequence(Qt::ALT | Qt::Key_Down));
    connect(m_removeButton, &QPushButton::clicked, this, &ModelPage::removeCurrent);
    connect(m_duplicateButton, &QPushButton::clicked, this, &ModelPage::duplicateCurrent);
    connect(m_upButton, &QPushButton::clicked, this, [this] { moveCurrent(-1); });
    connect(m_downButton, &QPushButton::clicked, this, [this] { moveCurrent(+1); });
    for (QPushButton* button : {m_removeButton, m_duplicateButton, m_upButton, m_downButton}) {
        buttons->addWidget(button);
    }
    buttons->addStretch(1);
    centerLayout->addLayout(buttons);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("layerTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setDragEnabled(true);
    m_view->setAcceptDrops(true);
    m_view->setDropIndicatorShown(true);
    m_view->setDragDropMode(QAbstractItemView::DragDrop);
    m_view->setDefaultDropAction(Qt::MoveAction);
    m_view->setDragDropOverwriteMode(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(LayerStackModel::ParametersColumn,
                                                     QHeaderView::Stretch);
    m_view->setToolTip(tr("The network from the input (top) to the class scores (bottom), as "
                          "Keras's model.summary() shows it. Drag a row to move it."));
    auto* deleteAction = new QAction(tr("Remove Layer"), m_view);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteAction, &QAction::triggered, this, &ModelPage::removeCurrent);
    m_view->addAction(deleteAction);
    centerLayout->addWidget(m_view, 1);

    m_totals = new QLabel;
    m_totals->setObjectName(QStringLiteral("modelTotals"));
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_totals->setToolTip(tr("Very many weights make training slow and may make it impossible "
                            "with the memory at hand; activation memory grows with the batch "
                            "size."));
    centerLayout->addWidget(m_totals);
    auto* problemRow = new QHBoxLayout;
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("modelProblems"));
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fixButton = new QPushButton(tr("Fix"));
    m_fixButton->setObjectName(QStringLiteral("fixButton"));
    m_fixButton->setToolTip(tr("Apply the change the first problem suggests (undoable)."));
    connect(m_fixButton, &QPushButton::clicked, this, &ModelPage::applyFirstFix);
    problemRow->addWidget(m_problems, 1);
    problemRow->addWidget(m_fixButton, 0, Qt::AlignTop);
    centerLayout->addLayout(problemRow);
    splitter->addWidget(center);

    auto* formBox = new QGroupBox(tr("Selected layer"));
    auto* formLayout = new QVBoxLayout(formBox);
    m_form = new LayerForm;
    m_form->setObjectName(QStringLiteral("layerForm"));
    formLayout->addWidget(m_form);
    formLayout->addStretch(1);
    auto* formScroll = new QScrollArea;
    formScroll->setWidget(formBox);
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    splitter->addWidget(formScroll);
    splitter->setStretchFactor(1, 1);

    connect(m_form, &LayerForm::edited, this, [this](const LayerSpec& layer, const QString& key) {
        m_model->setLayer(currentRow(), layer, key);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        m_lastRow = currentRow();
        updateForm();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this,
            [this] { selectRow(std::min(m_lastRow, m_model->rowCount() - 1)); });
    connect(m_document, &ProjectDocument::modelSummaryChanged, this, &ModelPage::refresh);
    refresh();
    selectRow(0);
}

QWidget* ModelPage::buildSidebar()
{
    auto* sidebar = new QWidget;
    auto* layout = new QVBoxLayout(sidebar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Add a layer")));
    m_palette = new QListWidget;
    m_palette->setObjectName(QStringLiteral("layerPalette"));
    for (const QString& name : layerTypeNames()) {
        if (*layerTypeFromName(name) == LayerType::FeatureExtractor) {
            continue; // it comes from a file: Use a Feature Extractor… below
        }
        auto* item = new QListWidgetItem(name);
        item->setToolTip(layerDescription(*layerTypeFromName(name)));
        m_palette->addItem(item);
    }
    m_palette->setToolTip(tr("Double-click a layer type to insert it after the selected "
                             "layer."));
    connect(m_palette, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { addLayer(*layerTypeFromName(item->text())); });
    layout->addWidget(m_palette, 1);
    auto* add = new QPushButton(tr("Add"));
    add->setToolTip(tr("Insert the chosen layer type after the selected layer."));
    connect(add, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_palette->currentItem()) {
            addLayer(*layerTypeFromName(item->text()));
        }
    });
    layout->addWidget(add);

    layout->addWidget(new QLabel(tr("Templates")));
    m_templates = new QComboBox;
    m_templates->setObjectName(QStringLiteral("templates"));
    for (const QString& name : templateNames()) {
        const Result<ModelTemplate> loaded = loadTemplate(name);
        m_templates->addItem(name);
        if (loaded) {
            m_templates->setItemData(m_templates->count() - 1, loaded->description,
                                     Qt::ToolTipRole);
        }
    }
    layout->addWidget(m_templates);
    auto* use = new QPushButton(tr("Use Template"));
    use->setToolTip(tr("Replace the layers by the chosen template's, and set image_size and "
                       "color_mode to what it is meant for (one undoable step). 'seed' is the "
                       "network of the Keras tutorial."));
    connect(use, &QPushButton::clicked, this,
            [this] { applyTemplate(m_templates->currentText()); });
    layout->addWidget(use);
    m_templateNote = new QLabel;
    m_templateNote->setObjectName(QStringLiteral("templateNote"));
    m_templateNote->setWordWrap(true);
    layout->addWidget(m_templateNote);

    layout->addWidget(new QLabel(tr("Start from a trained model")));
    m_startFrom = new QLabel;
    m_startFrom->setObjectName(QStringLiteral("startFrom"));
    m_startFrom->setWordWrap(true);
    layout->addWidget(m_startFrom);
    auto* choose = new QPushButton(tr("Choose Model…"));
    choose->setObjectName(QStringLiteral("chooseStartFrom"));
    choose->setToolTip(tr("Transfer learning (Keras: load_weights): training starts from the "
                          "weights of a model.pt trained earlier, maybe on other images and "
                          "classes. Layers whose shapes fit are copied, the output layer is new; "
                          "the Train log lists what was copied."));
    connect(choose, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Start From a Trained Model"),
                                                          m_document->project().model.initFrom,
                                                          tr("Classifier Studio models (*.pt)"));
        if (!path.isEmpty()) {
            setStartFrom(path);
        }
    });
    m_clearStartFrom = new QPushButton(tr("Start From Random Weights"));
    m_clearStartFrom->setToolTip(tr("Forget the trained model: training starts from Keras's "
                                    "random initialisation."));
    connect(m_clearStartFrom, &QPushButton::clicked, this, [this] { setStartFrom(QString()); });
    auto* freeze = new QPushButton(tr("Freeze All but the Output"));
    freeze->setObjectName(QStringLiteral("freezeAllButOutput"));
    freeze->setToolTip(tr("Tick Frozen (Keras: trainable = False) for every layer with weights "
                          "but the last Dense one: only the new output layer trains, the "
                          "features learned before stay as they are."));
    connect(freeze, &QPushButton::clicked, this, &ModelPage::freezeAllButOutput);
    auto* extractor = m_useExtractor = new QPushButton(tr("Use a Feature Extractor…"));
    extractor->setObjectName(QStringLiteral("useFeatureExtractor"));
    extractor->setToolTip(
        tr("Put a frozen network exported from PyTorch (a TorchScript .pt, e.g. a torchvision "
           "backbone a colleague trained) in front of your layers: it turns each image into "
           "features and only the layers after it train. The layers up to the first Flatten "
           "are replaced by it."));
    connect(extractor, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Use a Feature Extractor"), QString(), tr("TorchScript files (*.pt *.pth)"));
        if (path.isEmpty()) {
            return;
        }
        useFeatureExtractor(path);
    });
    connect(this, &ModelPage::featureExtractorDone, this, [this](const QString& error) {
        if (!error.isEmpty() && isVisible()) {
            QMessageBox::warning(this, tr("Use a Feature Extractor"), error);
        }
    });
    layout->addWidget(choose);
    layout->addWidget(m_clearStartFrom);
    layout->addWidget(freeze);
    layout->addWidget(extractor);
    return sidebar;
}

int ModelPage::currentRow() const
{
    const QModelIndex index = m_view->selectionModel()->currentIndex();
    return index.isValid() ? index.row() : -1;
}

void ModelPage::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount()) {
        m_view->selectionModel()->clear();
        m_lastRow = -1;
        updateForm();
        updateButtons();
        return;
    }
    m_view->selectionModel()->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_lastRow = row;
    updateForm();
    updateButtons();
}

void ModelPage::addLayer(LayerType type)
{
    const int row = currentRow();
    selectRow(m_model->insertLayer(row < 0 ? m_model->rowCount() : row + 1, defaultLayer(type)));
}

void ModelPage::removeCurrent()
{
    const int row = currentRow();
    if (row >= 0) {
        selectRow(m_model->removeLayer(row));
    }
}

void ModelPage::duplicateCurrent()
{
    const int row = currentRow();
    if (row >= 0) {
        selectRow(m_model->duplicateLayer(row));
    }
}

void ModelPage::moveCurrent(int delta)
{
    const int row = currentRow();
    const int moved = m_model->moveLayer(row, row + delta);
    if (moved >= 0) {
        selectRow(moved);
    }
}

bool ModelPage::applyTemplate(const QString& name)
{
    const Result<ModelTemplate> loaded = loadTemplate(name);
    if (!loaded) {
        m_problems->setText(loaded.error());
        return false;
    }
    const int classes = int(m_document->classNames().size());
    // The template's layers with the loading settings it is meant for, as one undo step.
    Project project = m_document->project();
    project.model = classes > 0 ? withOutputUnits(loaded->model, classes) : loaded->model;
    project.model.initFrom = m_document->project().model.initFrom;
    const auto modeName = [](ColorMode mode) {
        return datasetSchema().colorMode.choices.value(int(mode)).name;
    };
    QStringList changed;
    if (!loaded->imageSizes.isEmpty() && !loaded->imageSizes.contains(project.dataset.imageSize)) {
        changed << tr("image_size %1 → %2")
                       .arg(project.dataset.imageSize)
                       .arg(loaded->imageSizes.first());
        project.dataset.imageSize = loaded->imageSizes.first();
    }
    if (project.dataset.colorMode != loaded->colorMode) {
        changed << tr("color_mode %1 → %2")
                       .arg(modeName(project.dataset.colorMode), modeName(loaded->colorMode));
        project.dataset.colorMode = loaded->colorMode;
    }
    m_document->setProject(project, tr("Use template %1").arg(name));
    m_templateNote->setText(
        changed.isEmpty()
            ? QString()
            : tr("Set for this template: %1 (Data page; Undo restores).").arg(changed.join(", ")));
    selectRow(0);
    return true;
}

bool ModelPage::applyFirstFix()
{
    const int classes = int(m_document->classNames().size());
    for (const ModelIssue& issue : m_document->modelSummary().issues) {
        if (issue.fix != ModelFix::None) {
            m_model->setLayers(applyFix(m_document->project().model, issue, classes),
                               tr("Fix layer stack"));
            return true;
        }
    }
    return false;
}

void ModelPage::setStartFrom(const QString& modelPath)
{
    ModelSpec model = m_document->project().model;
    if (model.initFrom == modelPath) {
        return;
    }
    model.initFrom = modelPath;
    m_model->setLayers(model, modelPath.isEmpty()
                                  ? tr("Start from random weights")
                                  : tr("Start from %1").arg(QFileInfo(modelPath).fileName()));
}

void ModelPage::useFeatureExtractor(const QString& path)
{
    FeatureExtractorSpec defaults;
    defaults.inputSize = {m_document->project().dataset.imageSize,
                          m_document->project().dataset.imageSize};
    m_useExtractor->setEnabled(false);
    m_templateNote->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    m_runner->run(
        [path, defaults](const BackgroundJob&) { return inspectFeatureExtractor(path, defaults); },
        [this, path](Result<FeatureExtractorSpec> inspected) {
            m_useExtractor->setEnabled(true);
            m_templateNote->clear();
            if (!inspected) {
                Q_EMIT featureExtractorDone(inspected.error());
                return;
            }
            applyFeatureExtractor(path, *inspected);
            Q_EMIT featureExtractorDone(QString());
        });
}

bool ModelPage::isReadingFeatureExtractor() const
{
    return m_runner->isBusy();
}

void ModelPage::applyFeatureExtractor(const QString& path, const FeatureExtractorSpec& extractor)
{
    Project project = m_document->project();
    const int classes = int(m_document->classNames().size());
    project.model = withFeatureExtractor(project.model, extractor, classes);
    QString note;
    if (extractor.inputSize.height == extractor.inputSize.width &&
        extractor.inputSize.height != project.dataset.imageSize &&
        datasetSchema().imageSize.accepts(extractor.inputSize.height)) {
        note = tr("Set for this feature extractor: image_size %1 → %2 (Data page; Undo restores).")
                   .arg(project.dataset.imageSize)
                   .arg(extractor.inputSize.height);
        project.dataset.imageSize = extractor.inputSize.height;
    }
    m_document->setProject(project, tr("Use feature extractor %1").arg(QFileInfo(path).fileName()));
    m_templateNote->setText(note);
    selectRow(0);
}

void ModelPage::freezeAllButOutput()
{
    ModelSpec model = m_document->project().model;
    const int output = outputDenseLayer(model);
    for (int i = 0; i < model.layers.size(); ++i) {
        model.layers[i].trainable = i == output || !layerTypeHasWeights(model.layers[i].type);
    }
    if (model != m_document->project().model) {
        m_model->setLayers(model, tr("Freeze all but the output layer"));
    }
}

QString ModelPage::problemText() const
{
    return m_problems->text();
}

QString ModelPage::totalsText() const
{
    return m_totals->text();
}

void ModelPage::refresh()
{
    const ModelSummary& summary = m_document->modelSummary();
    const QLocale locale;
    m_totals->setText(
        tr("Input %1×%2×%3 · Total params: %4 (trainable %5, non-trainable %6) · Activation "
           "memory for a batch of %7: %8 · %9 multiply-adds per image")
            .arg(summary.input.height)
            .arg(summary.input.width)
            .arg(summary.input.channels)
            .arg(formatThousands(summary.totalParams), formatThousands(summary.trainableParams),
                 formatThousands(summary.nonTrainableParams))
            .arg(summary.batchSize)
            .arg(locale.formattedDataSize(summary.activationBytes), formatThousands(summary.macs)));

    QStringList lines;
    for (const ModelIssue& issue : summary.errors()) {
        lines.append(issue.message);
    }
    for (const ModelIssue& issue : summary.warnings()) {
        lines.append(tr("Warning: %1").arg(issue.message));
    }
    if (!m_document->hasDatasetIndex()) {
        lines.append(tr("Open a dataset on the Data page to check the output layer against "
                        "the number of classes."));
    }
    m_problems->setText(lines.join(QLatin1Char('\n')));
    const QString startFrom = m_document->project().model.initFrom;
    m_startFrom->setText(startFrom.isEmpty() ? tr("Random weights (Keras's initialisation).")
                                             : tr("Weights from %1; the output layer is new.")
                                                   .arg(QDir::toNativeSeparators(startFrom)));
    m_startFrom->setToolTip(startFrom);
    m_clearStartFrom->setEnabled(!startFrom.isEmpty());
    m_problems->setStyleSheet(summary.hasErrors() ? QStringLiteral("color: #c62828;") : QString());
    bool fixable = false;
    for (const ModelIssue& issue : summary.issues) {
        fixable = fixable || issue.fix != ModelFix::None;
    }
    m_fixButton->setVisible(fixable);
    updateForm();
    updateButtons();
}

void ModelPage::updateForm()
{
    const int row = currentRow();
    if (row < 0) {
        m_form->setLayer(LayerSpec(), QString(), false);
        return;
    }
    const LayerSpec layer = m_model->layer(row);
    const QString issues = m_model->issueText(row);
    // Leave the form alone while it already shows this layer (the user may be typing).
    if (m_form->isEnabled() && m_form->layer() == layer &&
        m_form->findChild<QLabel*>(QStringLiteral("layerIssues"))->text() == issues) {
        return;
    }
    m_form->setLayer(layer, issues, true);
}

void ModelPage::updateButtons()
{
    const int row = currentRow();
    const int rows = m_model->rowCount();
    m_removeButton->setEnabled(row >= 0);
    m_duplicateButton->setEnabled(row >= 0);
    m_upButton->setEnabled(row > 0);
    m_downButton->setEnabled(row >= 0 && row < rows - 1);
}

} // namespace studio
