#include "classifypage.h"

#include "backgroundrunner.h"
#include "dataset/datasetschema.h"

#include "predictioncard.h"
#include "predictionworker.h"
#include "saliencyoverlays.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QVBoxLayout>

namespace studio {

namespace {

const char* const kThresholdKey = "classify/uncertainThreshold"; // QSettings
constexpr double kDefaultThreshold = 0.5;

// What the model takes: "RGB", "grayscale" or "channels 1, 2, 4", and any normalisation.
QString inputDescription(const ModelMetadata& metadata)
{
    QString colours =
        metadata.input.colorMode == ColorMode::Rgb ? QObject::tr("RGB") : QObject::tr("grayscale");
    if (!metadata.input.channelList.isEmpty()) {
        QStringList channels;
        for (const int c : metadata.input.channelList) {
            channels << QString::number(c + 1);
        }
        colours = QObject::tr("channels %1").arg(channels.join(QStringLiteral(", ")));
    }
    if (metadata.input.normalization == Normalization::Legacy) {
        return colours;
    }
    return QObject::tr("%1, %2 normalisation")
        .arg(colours,
             datasetSchema().normalization.choices.value(int(metadata.input.normalization)).name);
}

QStringList localFiles(const QMimeData* mime)
{
    QStringList files;
    if (mime == nullptr || !mime->hasUrls()) {
        return files;
    }
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile()) {
            files << url.toLocalFile();
        }
    }
    return files;
}

} // namespace

ClassifyPage::ClassifyPage(QWidget* parent) : QWidget(parent)
{
    registerUiMetaTypes();
    setAcceptDrops(true);
    buildUi();

    m_runner = new BackgroundRunner(QStringLiteral("prediction"), this);
    m_worker = std::make_shared<PredictionWorker>();
    m_overlays = new SaliencyOverlays(this);
    connect(m_overlays, &SaliencyOverlays::overlayReady, this, &ClassifyPage::onOverlayReady);
    connect(m_saliency, &SaliencyControls::changed, this, &ClassifyPage::refreshOverlays);
    updateState();
}

ClassifyPage::~ClassifyPage()
{
    delete m_runner; // cancels the jobs and waits for the running one, before the widgets go
    delete m_overlays;
}

void ClassifyPage::buildUi()
{
    auto* open = new QPushButton(tr("Open Images..."));
    open->setToolTip(tr("Choose image files to classify. You can also drop images or folders "
                        "anywhere on this page."));
    connect(open, &QPushButton::clicked, this, &ClassifyPage::openImages);
    auto* openFolderButton = new QPushButton(tr("Open Folder..."));
    openFolderButton->setToolTip(tr("Classify every image in a folder and its sub-folders."));
    connect(openFolderButton, &QPushButton::clicked, this, &ClassifyPage::openFolder);
    auto* clearButton = new QPushButton(tr("Clear"));
    connect(clearButton, &QPushButton::clicked, this, &ClassifyPage::clear);
    m_threshold = new QDoubleSpinBox;
    m_threshold->setObjectName(QStringLiteral("threshold"));
    m_threshold->setRange(0, 1);
    m_threshold->setSingleStep(0.05);
    m_threshold->setDecimals(2);
    m_threshold->setValue(
        QSettings().value(QLatin1String(kThresholdKey), kDefaultThreshold).toDouble());
    m_threshold->setToolTip(tr("An answer whose probability is under this threshold is marked "
                               "uncertain: look at those images yourself. Kept for next time."));
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        for (PredictionCard* card : std::as_const(m_cards)) {
            card->setThreshold(value);
        }
        QSettings().setValue(QLatin1String(kThresholdKey), value);
    });
    auto* thresholdLabel = new QLabel(tr("Uncertain below:"));
    thresholdLabel->setToolTip(m_threshold->toolTip());

    auto* tools = new QHBoxLayout;
    tools->addWidget(open);
    tools->addWidget(openFolderButton);
    tools->addWidget(clearButton);
    tools->addSpacing(12);
    tools->addWidget(thresholdLabel);
    tools->addWidget(m_threshold);
    tools->addStretch(1);

    m_modelLabel = new QLabel;
    m_modelLabel->setObjectName(QStringLiteral("modelLabel"));
    m_modelLabel->setWordWrap(true);
    m_modelLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* openModelButton = new QPushButton(tr("Open Model..."));
    openModelButton->setToolTip(tr("Classify with another model file (.pt) made by this app."));
    connect(openModelButton, &QPushButton::clicked, this, &ClassifyPage::openModel);
    m_exportPt = new QPushButton(tr("Export .pt..."));
    m_exportPt->setToolTip(tr("Save the model as TorchScript (.pt): loads in Python with "
                              "torch.jit.load and in C++ with torch::jit::load."));
    connect(m_exportPt, &QPushButton::clicked, this,
            [this] { chooseExport(ExportFormat::TorchScript); });
    m_exportOnnx = new QPushButton(tr("Export ONNX..."));
    m_exportOnnx->setToolTip(tr("Save the model as ONNX (opset 13) for ONNX Runtime, OpenCV DNN "
                                "and other tools."));
    connect(m_exportOnnx, &QPushButton::clicked, this,
            [this] { chooseExport(ExportFormat::Onnx); });
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_modelLabel, 1);
    modelRow->addWidget(openModelButton);
    modelRow->addWidget(m_exportPt);
    modelRow->addWidget(m_exportOnnx);

    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("predictionList"));
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setUniformItemSizes(true);

    m_status = new QLabel(tr("Drop images or folders anywhere on this page to classify them."));
    m_status->setObjectName(QStringLiteral("classifyStatus"));
    m_status->setWordWrap(true);
    m_saveCsv = new QPushButton(tr("Save Results as CSV..."));
    m_saveCsv->setToolTip(tr("One row per image: predicted class, confidence and every class's "
                             "probability."));
    connect(m_saveCsv, &QPushButton::clicked, this, &ClassifyPage::chooseCsv);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_saveCsv);

    m_saliency = new SaliencyControls;

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(modelRow);
    layout->addLayout(tools);
    layout->addWidget(m_saliency);
    layout->addWidget(m_list, 1);
    layout->addLayout(bottom);
}

void ClassifyPage::setModel(const QString& path)
{
    m_loadingPath = path;
    m_modelLabel->setText(tr("Loading %1...").arg(QDir::toNativeSeparators(path)));
    m_runner->run(
        [worker = m_worker, path](const BackgroundJob&) { return worker->loadModel(path); },
        [this, path](const Result<ModelMetadata>& metadata) {
            if (metadata) {
                onModelLoaded(path, *metadata);
            } else {
                onModelFailed(path, metadata.error());
            }
        });
    updateState();
}

void ClassifyPage::onModelLoaded(const QString& path, const ModelMetadata& metadata)
{
    if (path == m_loadingPath) {
        m_loadingPath.clear();
    }
    m_modelPath = path;
    m_classes = metadata.classes;
    m_overlays->setModel(path);
    m_saliency->setClasses(metadata.classes);
    refreshOverlays();
    m_modelLabel->setText(tr("<b>Model:</b> %1 — %2 classes (%3), %4×%4 %5")
                              .arg(QDir::toNativeSeparators(path).toHtmlEscaped())
                              .arg(metadata.classes.size())
                              .arg(metadata.classes.join(QStringLiteral(", ")).toHtmlEscaped())
                              .arg(metadata.imageSize())
                              .arg(inputDescription(metadata).toHtmlEscaped()));
    updateState();
    Q_EMIT modelChanged(path);
}

void ClassifyPage::addPaths(const QStringList& paths)
{
    if (paths.isEmpty()) {
        return;
    }
    ++m_pending;
    m_status->setText(tr("Classifying..."));
    m_runner->run(
        [this, worker = m_worker, paths,
         threshold = m_threshold->value()](const BackgroundJob& job) {
            worker->classify(
                paths, threshold, job,
                [this](const QVector<Prediction>& predictions, const QVector<QImage>& thumbnails) {
                    onPredicted(predictions, thumbnails);
                });
        },
        [this] {
            m_pending = qMax(0, m_pending - 1);
            updateState();
            Q_EMIT classificationFinished();
        });
    updateState();
}

void ClassifyPage::onPredicted(const QVector<Prediction>& predictions,
                               const QVector<QImage>& thumbnails)
{
    for (int i = 0; i < predictions.size(); ++i) {
        auto* card = new PredictionCard(predictions[i], thumbnails.value(i));
        card->setThreshold(m_threshold->value());
        auto* item = new QListWidgetItem(m_list);
        item->setSizeHint(card->sizeHint());
        m_list->setItemWidget(item, card);
        m_cards.append(card);
        if (m_saliency->isShown()) {
            showOverlay(card);
        }
    }
    updateState();
    Q_EMIT predictionsAdded(int(predictions.size()));
}

void ClassifyPage::refreshOverlays()
{
    m_overlays->cancelPending();
    for (PredictionCard* card : std::as_const(m_cards)) {
        if (m_saliency->isShown()) {
            showOverlay(card);
        } else {
            card->setOverlay(QImage());
        }
    }
}

void ClassifyPage::showOverlay(PredictionCard* card)
{
    if (!card->prediction().ok()) {
        return;
    }
    const SaliencyOverlay* overlay =
        m_overlays->overlay(card->prediction().path, m_saliency->classIndex());
    if (overlay != nullptr) {
        card->setOverlay(overlay->image,
                         overlay->image.isNull() ? overlay->error : overlay->caption);
    }
}

void ClassifyPage::onOverlayReady(const QString& path, int classIndex,
                                  const SaliencyOverlay& overlay)
{
    if (!m_saliency->isShown() || classIndex != m_saliency->classIndex()) {
        return; // asked for before the toggle or the class changed
    }
    for (PredictionCard* card : std::as_const(m_cards)) {
        if (card->prediction().path == path) {
            card->setOverlay(overlay.image,
                             overlay.image.isNull() ? overlay.error : overlay.caption);
        }
    }
}

void ClassifyPage::clear()
{
    m_overlays->cancelPending();
    m_list->clear();
    m_cards.clear();
    updateState();
}

QVector<Prediction> ClassifyPage::predictions() const
{
    QVector<Prediction> result;
    for (const PredictionCard* card : m_cards) {
        result.append(card->prediction());
    }
    return result;
}

double ClassifyPage::threshold() const
{
    return m_threshold->value();
}

void ClassifyPage::setThreshold(double threshold)
{
    m_threshold->setValue(threshold);
}

bool ClassifyPage::saveCsv(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        return false;
    }
    file.write(predictionsToCsv(predictions(), m_classes).toUtf8());
    return file.commit();
}

void ClassifyPage::exportModel(ExportFormat format, const QString& outPath)
{
    if (m_modelPath.isEmpty()) {
        m_status->setText(tr("No model to export yet: train one or open a .pt file."));
        Q_EMIT exportFinished(outPath, m_status->text());
        return;
    }
    m_status->setText(tr("Exporting to %1...").arg(QDir::toNativeSeparators(outPath)));
    m_runner->run(
        [modelPath = m_modelPath, format, outPath](const BackgroundJob&) {
            return PredictionWorker::exportModel(modelPath, format, outPath);
        },
        [this, outPath](const Status& status) {
            const QString error = status ? QString() : status.error();
            m_status->setText(
                error.isEmpty() ? tr("Exported %1").arg(QDir::toNativeSeparators(outPath)) : error);
            Q_EMIT exportFinished(outPath, error);
        });
}

void ClassifyPage::onModelFailed(const QString& path, const QString& message)
{
    if (path == m_loadingPath) {
        m_loadingPath.clear();
    }
    m_status->setText(message);
    updateState();
    Q_EMIT modelFailed(path, message);
}

void ClassifyPage::updateState()
{
    const bool hasModel = !m_modelPath.isEmpty();
    m_exportPt->setEnabled(hasModel);
    m_exportOnnx->setEnabled(hasModel);
    m_saveCsv->setEnabled(!m_cards.isEmpty());
    m_saliency->setAvailable(hasModel, tr("Load a model first: the map shows where a model "
                                          "looked."));
    if (!hasModel && m_loadingPath.isEmpty()) {
        m_modelLabel->setText(tr("No model yet. Train one on the Train page, or open a .pt file."));
    }
    if (m_pending == 0 && !m_cards.isEmpty()) {
        int uncertain = 0;
        int failed = 0;
        for (const PredictionCard* card : std::as_const(m_cards)) {
            uncertain += card->isUncertain() ? 1 : 0;
            failed += card->prediction().ok() ? 0 : 1;
        }
        m_status->setText(tr("%1 image(s) classified, %2 uncertain, %3 could not be read.")
                              .arg(m_cards.size() - failed)
                              .arg(uncertain)
                              .arg(failed));
    }
}

void ClassifyPage::openImages()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Classify Images"), QString(),
        tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
    addPaths(files);
}

void ClassifyPage::openFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Classify a Folder"));
    if (!folder.isEmpty()) {
        addPaths({folder});
    }
}

void ClassifyPage::openModel()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), m_modelPath,
                                                      tr("Models (*.pt);;All files (*)"));
    if (!path.isEmpty()) {
        setModel(path);
    }
}

void ClassifyPage::chooseCsv()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Results"), QStringLiteral("predictions.csv"), tr("CSV table (*.csv)"));
    if (!path.isEmpty() && !saveCsv(path)) {
        QMessageBox::warning(this, tr("Save Results"),
                             tr("Could not write '%1'. Choose a folder you can write to.")
                                 .arg(QDir::toNativeSeparators(path)));
    }
}

void ClassifyPage::chooseExport(ExportFormat format)
{
    const bool onnx = format == ExportFormat::Onnx;
    const QString suggested = QFileInfo(m_modelPath).completeBaseName() +
                              (onnx ? QStringLiteral(".onnx") : QStringLiteral("-export.pt"));
    const QString path = QFileDialog::getSaveFileName(
        this, onnx ? tr("Export as ONNX") : tr("Export as TorchScript"), suggested,
        onnx ? tr("ONNX model (*.onnx)") : tr("TorchScript model (*.pt)"));
    if (!path.isEmpty()) {
        exportModel(format, path);
    }
}

void ClassifyPage::dragEnterEvent(QDragEnterEvent* event)
{
    if (!localFiles(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void ClassifyPage::dragMoveEvent(QDragMoveEvent* event)
{
    if (!localFiles(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void ClassifyPage::dropEvent(QDropEvent* event)
{
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty()) {
        return;
    }
    event->acceptProposedAction();
    addPaths(files);
}

} // namespace studio
