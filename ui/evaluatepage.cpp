#include "evaluatepage.h"

#include "backgroundrunner.h"

#include "classmetricsmodel.h"
#include "confusionmatrixplot.h"
#include "embeddingmapview.h"
#include "evaluation/evaluator.h"
#include "evaluation/metricsjson.h"
#include "evaluationcharts.h"
#include "imagegallery.h"
#include "project/project.h"
#include "runs/crossvalidation.h"
#include "training/trainer.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace studio {

namespace {

bool writeText(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return false;
    }
    file.write(bytes);
    return file.commit();
}

QString number(double value)
{
    return QString::number(value, 'g', 7);
}

} // namespace

EvaluatePage::EvaluatePage(QWidget* parent)
    : QWidget(parent), m_runner(new BackgroundRunner(QStringLiteral("evaluation"), this))
{
    buildUi();
    updateState();
}

EvaluatePage::~EvaluatePage()
{
    delete m_runner; // cancels the evaluation and waits for it, before the widgets go
}

void EvaluatePage::buildUi()
{
    m_openRun = new QPushButton(tr("Open Run..."));
    m_openRun->setToolTip(tr("Show the test evaluation that a finished run wrote into its "
                             "folder."));
    connect(m_openRun, &QPushButton::clicked, this, &EvaluatePage::chooseRun);
    m_evaluate = new QPushButton(tr("Evaluate Model..."));
    m_evaluate->setToolTip(tr("Classify every image of a dataset split with a model file "
                              "(.pt) and compare with the true classes."));
    connect(m_evaluate, &QPushButton::clicked, this, &EvaluatePage::chooseModel);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelEvaluation"));
    m_cancel->setToolTip(tr("Stop the evaluation in progress."));
    connect(m_cancel, &QPushButton::clicked, this, &EvaluatePage::cancelEvaluation);
    m_normalized = new QCheckBox(tr("Normalised"));
    m_normalized->setObjectName(QStringLiteral("normalizedToggle"));
    m_normalized->setToolTip(tr("Show each row as fractions of its true class instead of counts: "
                                "the diagonal is then each class's recall."));
    m_export = new QPushButton(tr("Export Report"));
    m_export->setToolTip(tr("Save the report as JSON, CSV, or the chart shown as PNG."));
    connect(m_export, &QPushButton::clicked, this, &EvaluatePage::chooseExport);

    auto* tools = new QHBoxLayout;
    tools->addWidget(m_openRun);
    tools->addWidget(m_evaluate);
    tools->addWidget(m_cancel);
    tools->addSpacing(12);
    tools->addWidget(m_normalized);
    tools->addStretch(1);
    tools->addWidget(m_export);

    m_source = new QLabel;
    m_source->setObjectName(QStringLiteral("evaluationSource"));
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_accuracy = new QLabel;
    m_accuracy->setObjectName(QStringLiteral("accuracyLabel"));
    m_accuracy->setWordWrap(true);
    m_accuracy->setToolTip(tr("The fraction of images classified correctly. With unbalanced "
                              "classes it can look good while one class is always missed: "
                              "check the per-class recall."));
    m_crossValidation = new QLabel;
    m_crossValidation->setObjectName(QStringLiteral("crossValidationSummary"));
    m_crossValidation->setWordWrap(true);
    m_crossValidation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_crossValidation->setStyleSheet(
        QStringLiteral("QLabel { border: 1px solid palette(mid); padding: 6px; }"));
    m_crossValidation->setToolTip(
        tr("Each fold's model was tested on images it never saw; the spread over the folds shows "
           "how much a single split's score could be luck."));
    m_crossValidation->hide();
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("evaluationMessage"));
    m_message->setWordWrap(true);

    m_plot = new ConfusionMatrixPlot;
    m_plot->setObjectName(QStringLiteral("confusionMatrix"));
    connect(m_normalized, &QCheckBox::toggled, m_plot, &ConfusionMatrixPlot::setNormalized);
    connect(m_plot, &ConfusionMatrixPlot::cellClicked, this, [this](int t, int p) {
        m_map->highlightCell(t, p);
        openGallery(t, p);
    });
    m_model = new ClassMetricsModel(this);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("classMetricsTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ClassMetricsModel::ClassColumn,
                                                      QHeaderView::Stretch);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EvaluatePage::highlightSelectedClass);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(buildCharts());
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(tools);
    layout->addWidget(m_crossValidation);
    layout->addWidget(m_source);
    layout->addWidget(m_accuracy);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
}

QWidget* EvaluatePage::buildCharts()
{
    m_roc = new ThresholdCurvesPlot(ThresholdCurvesPlot::Kind::Roc);
    m_roc->setObjectName(QStringLiteral("rocCurves"));
    m_precisionRecall = new ThresholdCurvesPlot(ThresholdCurvesPlot::Kind::PrecisionRecall);
    m_precisionRecall->setObjectName(QStringLiteral("precisionRecallCurves"));
    m_calibration = new CalibrationPlot;
    m_calibration->setObjectName(QStringLiteral("calibrationDiagram"));
    m_charts = new QTabWidget;
    m_charts->setObjectName(QStringLiteral("evaluationCharts"));
    m_charts->addTab(m_plot, tr("Confusion matrix"));
    m_charts->addTab(m_roc, tr("ROC curves"));
    m_charts->addTab(m_precisionRecall, tr("Precision-recall"));
    m_charts->addTab(m_calibration, tr("Calibration"));
    m_map = new EmbeddingMapView;
    m_map->setObjectName(QStringLiteral("embeddingMap"));
    m_charts->addTab(m_map, tr("Map of what it learned"));
    m_charts->setTabToolTip(1, tr("How well each class is told apart from the others at every "
                                  "threshold of its score (receiver operating characteristic)."));
    m_charts->setTabToolTip(2, tr("Precision against recall as each class's threshold is "
                                  "lowered: telling for rare classes."));
    m_charts->setTabToolTip(3, tr("Whether the model's confidence matches how often it is right "
                                  "(reliability diagram)."));
    m_charts->setTabToolTip(4, tr("Every image as a point, placed by what the network sees in it: "
                                  "classes it tells apart fall into separate groups."));
    return m_charts;
}

void EvaluatePage::highlightSelectedClass()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? -1 : rows.first().row();
    const int index = row >= 0 && row < m_metrics.classes.size() ? row : -1;
    m_roc->setHighlightedClass(index);
    m_precisionRecall->setHighlightedClass(index);
}

QVector<DatasetItem> EvaluatePage::evaluatedImages() const
{
    QVector<DatasetItem> images;
    if (m_metrics.correct.size() + m_metrics.misclassified.size() != m_metrics.count) {
        return images; // an older report lists only the mistakes
    }
    for (const QVector<ClassifiedImage>* list : {&m_metrics.correct, &m_metrics.misclassified}) {
        for (const ClassifiedImage& image : *list) {
            DatasetItem item;
            item.path = image.path;
            item.label = image.trueLabel;
            images << item;
        }
    }
    std::sort(images.begin(), images.end(),
              [](const DatasetItem& a, const DatasetItem& b) { return a.path < b.path; });
    return images;
}

void EvaluatePage::updateMapSource(Split split, const QString& keepFile)
{
    QString reason;
    if (m_modelPath.isEmpty()) {
        reason = tr("No model file is known for this evaluation: open a run or use Evaluate "
                    "Model to map what a model learned.");
    } else if (!QFileInfo::exists(m_modelPath)) {
        reason = tr("The model file %1 is missing.").arg(QDir::toNativeSeparators(m_modelPath));
    } else if (m_imageRoot.isEmpty() || !QFileInfo(m_imageRoot).isDir()) {
        reason = tr("The dataset folder of this evaluation (%1) is missing: use Evaluate Model "
                    "to choose it.")
                     .arg(QDir::toNativeSeparators(m_imageRoot));
    }
    MapSource source;
    source.modelPath = reason.isEmpty() ? m_modelPath : QString();
    source.datasetDir = m_imageRoot;
    source.split = split;
    source.images = evaluatedImages();
    source.keepFile = keepFile;
    source.reason = reason;
    m_map->setSource(source);
}

void EvaluatePage::updateState()
{
    m_export->setEnabled(m_hasMetrics);
    m_normalized->setEnabled(m_hasMetrics);
    m_openRun->setEnabled(!isBusy());
    m_evaluate->setEnabled(!isBusy());
    m_cancel->setVisible(isBusy());
    if (!m_hasMetrics) {
        m_accuracy->setText(tr("No evaluation yet. A finished run evaluates its model on the "
                               "test images; or open a run or evaluate a model file."));
    }
}

void EvaluatePage::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

bool EvaluatePage::loadCrossValidation(const QString& outDir)
{
    const Result<CrossValidationSummary> summary = studio::loadCrossValidation(outDir);
    if (!summary) {
        showMessage(summary.error(), true);
        return false;
    }
    QStringList lines;
    for (const QString& line : summaryText(*summary)) {
        lines << line.toHtmlEscaped();
    }
    lines.first() = QStringLiteral("<b>%1</b>").arg(lines.first());
    if (summary->scores.isEmpty()) {
        showMessage(tr("The cross-validation in %1 has no finished fold.")
                        .arg(QDir::toNativeSeparators(outDir)),
                    true);
        return false;
    }
    const FoldScore& last = summary->scores.last();
    m_loadingCrossValidation = true;
    const bool loaded = loadRun(last.runDir);
    m_loadingCrossValidation = false;
    m_crossValidation->setText(lines.join(QStringLiteral("<br>")));
    m_crossValidation->show();
    if (loaded) {
        m_source->setText(tr("Below: fold %1 of %2 alone, on its held-out images (%3).")
                              .arg(last.fold + 1)
                              .arg(summary->folds)
                              .arg(QDir::toNativeSeparators(last.runDir)));
    }
    return true;
}

QString EvaluatePage::crossValidationText() const
{
    return m_crossValidation->isHidden() ? QString() : m_crossValidation->text();
}

bool EvaluatePage::loadRun(const QString& runDir)
{
    const QString file = QDir(runDir).filePath(QStringLiteral("evaluation/evaluation.json"));
    if (!QFileInfo::exists(file)) {
        showMessage(tr("The run in %1 has no test evaluation: it did not finish, or its dataset "
                       "has no test images. Use Evaluate Model to evaluate its model.pt on a "
                       "split.")
                        .arg(QDir::toNativeSeparators(runDir)),
                    true);
        return false;
    }
    const Result<EvaluationMetrics> metrics = loadMetricsFile(file);
    if (!metrics.ok()) {
        showMessage(metrics.error(), true);
        return false;
    }
    QString root;
    const Result<LoadedProject> project = loadProject(QDir(runDir).filePath(runfiles::project));
    if (project.ok()) {
        root = project->project.dataset.root;
    }
    setMetrics(*metrics, root, tr("Run %1, test images").arg(QDir::toNativeSeparators(runDir)));
    m_modelPath = QDir(runDir).filePath(QStringLiteral("model.pt"));
    updateMapSource(Split::Test, QDir(runDir).filePath(QStringLiteral("evaluation/map.json")));
    return true;
}

void EvaluatePage::evaluateModel(const QString& modelPath, const QString& datasetDir, Split split)
{
    if (isBusy()) {
        return;
    }
    showMessage(tr("Evaluating %1 on the %2 images of %3...")
                    .arg(QFileInfo(modelPath).fileName(), splitName(split),
                         QDir::toNativeSeparators(datasetDir)),
                false);
    EvaluateOptions options;
    options.split = split;
    m_evaluation = m_runner->run(
        [modelPath, datasetDir, options](const BackgroundJob& job) {
            EvaluateOptions cancellable = options;
            cancellable.cancel = job.cancelFlag();
            return studio::evaluateModel(modelPath, datasetDir, cancellable);
        },
        [this, modelPath, datasetDir, split](const Result<EvaluationMetrics>& result) {
            m_evaluation = 0;
            if (result.ok()) {
                setMetrics(*result, datasetDir,
                           tr("Model %1 on the %2 images of %3")
                               .arg(QDir::toNativeSeparators(modelPath), splitName(split),
                                    QDir::toNativeSeparators(datasetDir)));
                m_modelPath = modelPath;
                updateMapSource(split);
            } else {
                showMessage(result.error(), true);
            }
            updateState();
            Q_EMIT evaluationFinished(result.ok(), result.ok() ? QString() : result.error());
        });
    updateState();
}

void EvaluatePage::cancelEvaluation()
{
    if (!isBusy()) {
        return;
    }
    m_runner->cancel(m_evaluation);
    m_evaluation = 0;
    const QString message = tr("Evaluation cancelled.");
    showMessage(message, false);
    updateState();
    Q_EMIT evaluationFinished(false, message);
}

void EvaluatePage::setMetrics(const EvaluationMetrics& metrics, const QString& imageRoot,
                              const QString& source)
{
    m_metrics = metrics;
    m_hasMetrics = true;
    if (!m_loadingCrossValidation) {
        m_crossValidation->hide();
    }
    m_imageRoot = imageRoot;
    m_modelPath.clear(); // the caller names the model when it knows it
    updateMapSource(Split::Test);
    m_plot->setMatrix(metrics.classes, metrics.confusion, metrics.confusionNormalized);
    m_model->setMetrics(metrics);
    m_roc->setCurves(metrics.curves);
    m_precisionRecall->setCurves(metrics.curves);
    m_calibration->setCalibration(metrics.calibration);
    m_source->setText(source);
    QString accuracy =
        tr("<b>Accuracy: %1</b> of %2 images (95% confidence intervals in brackets) · balanced "
           "accuracy %3 % (%4–%5 %) · macro F1 %6")
            .arg(formatWithInterval(metrics.accuracy, metrics.accuracyInterval))
            .arg(metrics.count)
            .arg(metrics.balancedAccuracy * 100, 0, 'f', 1)
            .arg(metrics.balancedAccuracyInterval.low * 100, 0, 'f', 1)
            .arg(metrics.balancedAccuracyInterval.high * 100, 0, 'f', 1)
            .arg(metrics.macroF1, 0, 'f', 3);
    for (const auto& [k, value] : metrics.topKAccuracy) {
        accuracy += tr(" · top-%1: %2 %").arg(k).arg(value * 100, 0, 'f', 1);
    }
    if (!metrics.curves.isEmpty()) {
        accuracy += tr(" · ROC AUC %1 (macro) · calibration error %2 %")
                        .arg(metrics.macroAverage.rocAuc, 0, 'f', 3)
                        .arg(metrics.calibration.expectedError * 100, 0, 'f', 1);
    }
    m_accuracy->setText(accuracy);
    showMessage(tr("Click a cell of the matrix to see its images."), false);
    updateState();
}

QVector<ClassifiedImage> EvaluatePage::cellImages(int trueLabel, int predictedLabel) const
{
    QVector<ClassifiedImage> images;
    const QVector<ClassifiedImage>& source =
        trueLabel == predictedLabel ? m_metrics.correct : m_metrics.misclassified;
    for (ClassifiedImage w : source) {
        if (w.trueLabel == trueLabel && w.predictedLabel == predictedLabel) {
            if (!m_imageRoot.isEmpty() && QFileInfo(w.path).isRelative()) {
                w.path = QDir(m_imageRoot).filePath(w.path);
            }
            images.append(w);
        }
    }
    std::stable_sort(images.begin(), images.end(),
                     [](const ClassifiedImage& a, const ClassifiedImage& b) {
                         return a.confidence > b.confidence;
                     });
    return images;
}

ImageGallery* EvaluatePage::openGallery(int trueLabel, int predictedLabel)
{
    if (!m_hasMetrics) {
        return nullptr;
    }
    const QString trueName = m_metrics.classes.value(trueLabel);
    const QString predictedName = m_metrics.classes.value(predictedLabel);
    const int count = m_plot->count(trueLabel, predictedLabel);
    const QVector<ClassifiedImage> images = cellImages(trueLabel, predictedLabel);
    QString explanation;
    if (trueLabel == predictedLabel && images.isEmpty() && count > 0) {
        explanation = tr("%1 %2 images were classified correctly. This report, written by an "
                         "older version, lists only the mistakes: evaluate again to see them.")
                          .arg(count)
                          .arg(trueName);
    } else if (trueLabel == predictedLabel) {
        explanation = tr("%1 %2 image(s) classified correctly, most confident first: the "
                         "least confident at the end are the ones the model nearly got wrong. "
                         "Double-click one to open it.")
                          .arg(count)
                          .arg(trueName);
    } else {
        explanation = tr("%1 image(s) of class %2 that the model took for %3, most confident "
                         "first. Double-click one to open it.")
                          .arg(count)
                          .arg(trueName, predictedName);
    }
    auto* gallery = new ImageGallery(tr("True %1, predicted %2").arg(trueName, predictedName),
                                     explanation, this);
    gallery->setAttribute(Qt::WA_DeleteOnClose);
    for (const ClassifiedImage& image : images) {
        gallery->addImage(image.path, tr("%1 %").arg(image.confidence * 100, 0, 'f', 1));
    }
    const bool hasModel = !m_modelPath.isEmpty() && QFileInfo::exists(m_modelPath);
    gallery->setModel(
        hasModel ? m_modelPath : QString(), m_metrics.classes,
        m_modelPath.isEmpty()
            ? tr("No model file is known for this evaluation: open a run or use "
                 "Evaluate Model to see where the model looked.")
            : tr("The model file %1 is missing.").arg(QDir::toNativeSeparators(m_modelPath)));
    gallery->show();
    return gallery;
}

bool EvaluatePage::exportJson(const QString& path) const
{
    return m_hasMetrics &&
           writeText(path, QJsonDocument(metricsToJson(m_metrics)).toJson(QJsonDocument::Indented));
}

bool EvaluatePage::exportCsv(const QString& path) const
{
    if (!m_hasMetrics) {
        return false;
    }
    QString text = QStringLiteral("class,precision,recall,f1,support\n");
    QVector<ClassMetrics> rows = m_metrics.perClass;
    ClassMetrics macro = m_metrics.macroAverage;
    macro.name = QStringLiteral("macro avg");
    ClassMetrics weighted = m_metrics.weightedAverage;
    weighted.name = QStringLiteral("weighted avg");
    rows << macro << weighted;
    for (const ClassMetrics& c : rows) {
        text += QStringLiteral("%1,%2,%3,%4,%5\n")
                    .arg(csvCell(c.name), number(c.precision), number(c.recall), number(c.f1))
                    .arg(c.support);
    }
    text += QStringLiteral("\naccuracy,%1\ncount,%2\n\n")
                .arg(number(m_metrics.accuracy))
                .arg(m_metrics.count);
    QStringList header = {QStringLiteral("true\\predicted")};
    for (const QString& name : m_metrics.classes) {
        header << csvCell(name);
    }
    text += header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int r = 0; r < m_metrics.confusion.size(); ++r) {
        QStringList row = {csvCell(m_metrics.classes.value(r))};
        for (int v : m_metrics.confusion[r]) {
            row << QString::number(v);
        }
        text += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return writeText(path, text.toUtf8());
}

bool EvaluatePage::exportPng(const QString& path)
{
    if (!m_hasMetrics) {
        return false;
    }
    QWidget* shown = m_charts->currentWidget();
    if (shown == m_roc || shown == m_precisionRecall) {
        return static_cast<ThresholdCurvesPlot*>(shown)->savePng(path, 900, 760);
    }
    if (shown == m_calibration) {
        return m_calibration->savePng(path, 900, 760);
    }
    if (shown == m_map) {
        return m_map->savePng(path, 900, 760);
    }
    return m_plot->savePng(path, 900, 760);
}

void EvaluatePage::chooseRun()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Run"));
    if (dir.isEmpty()) {
        return;
    }
    if (QFileInfo::exists(QDir(dir).filePath(crossvalfiles::summaryJson))) {
        loadCrossValidation(dir); // a cross-validation folder: its summary and last fold
    } else {
        loadRun(dir);
    }
}

void EvaluatePage::chooseModel()
{
    const QString model = QFileDialog::getOpenFileName(this, tr("Evaluate Model"), QString(),
                                                       tr("Models (*.pt);;All files (*)"));
    if (model.isEmpty()) {
        return;
    }
    const QString dataset = QFileDialog::getExistingDirectory(
        this, tr("Dataset Folder (with the model's classes)"), m_imageRoot);
    if (dataset.isEmpty()) {
        return;
    }
    const QStringList splits = {splitName(Split::Test), splitName(Split::Validation),
                                splitName(Split::Train)};
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, tr("Evaluate Model"), tr("Images to evaluate on:"), splits, 0, false, &ok);
    if (!ok) {
        return;
    }
    const Split split = chosen == splitName(Split::Validation) ? Split::Validation
                        : chosen == splitName(Split::Train)    ? Split::Train
                                                               : Split::Test;
    evaluateModel(model, dataset, split);
}

void EvaluatePage::chooseExport()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Report"), QStringLiteral("evaluation.json"),
        tr("JSON report (*.json);;CSV table (*.csv);;PNG of the chart shown (*.png)"), &selected);
    if (path.isEmpty()) {
        return;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool saved = suffix == QLatin1String("csv")   ? exportCsv(path)
                       : suffix == QLatin1String("png") ? exportPng(path)
                                                        : exportJson(path);
    if (!saved) {
        QMessageBox::warning(this, tr("Export Report"),
                             tr("Could not write '%1'. Choose a folder you can write to.")
                                 .arg(QDir::toNativeSeparators(path)));
    }
}

} // namespace studio
