#include "runreportwriter.h"

#include "methodstext.h"
#include "reportcharts.h"
#include "runreport.h"

#include "common/version.h"
#include "explain/saliency.h"
#include "project/settingsschema.h"
#include "runs/runcatalog.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

#include <cmath>

namespace studio {

namespace {

const QSize kChartSize(520, 300);
const QSize kSquareChartSize(420, 380);

QString esc(const QString& text)
{
    return text.toHtmlEscaped();
}

QString percent(double fraction, int decimals = 1)
{
    return QStringLiteral("%1%").arg(fraction * 100, 0, 'f', decimals);
}

QString withInterval(double value, const Interval& interval)
{
    return QStringLiteral("%1 (95% CI %2–%3)")
        .arg(percent(value), percent(interval.low), percent(interval.high));
}

QString thousands(qint64 value)
{
    return formatThousands(value);
}

// The report's HTML, section by section, and its images.
class HtmlReport
{
public:
    // A heading; `newPage` starts it on a new page of the PDF (it would be stranded at the
    // bottom of one above the pictures it names).
    void heading(int level, const QString& text, bool newPage = false)
    {
        m_html +=
            QStringLiteral("<h%1%3>%2</h%1>\n")
                .arg(level)
                .arg(esc(text),
                     newPage ? QStringLiteral(" style=\"page-break-before: always\"") : QString());
    }
    void paragraph(const QString& text) { m_html += QStringLiteral("<p>%1</p>\n").arg(esc(text)); }
    void rawParagraph(const QString& html) { m_html += QStringLiteral("<p>%1</p>\n").arg(html); }
    void list(const QStringList& items)
    {
        m_html += QStringLiteral("<ul>\n");
        for (const QString& item : items) {
            m_html += QStringLiteral("<li>%1</li>\n").arg(esc(item));
        }
        m_html += QStringLiteral("</ul>\n");
    }
    // A table; cells of the columns from `firstNumberColumn` on are right-aligned.
    void table(const QStringList& headers, const QVector<QStringList>& rows,
               int firstNumberColumn = 1)
    {
        m_html += QStringLiteral(
            "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">\n<tr>");
        for (const QString& header : headers) {
            m_html += QStringLiteral("<th>%1</th>").arg(esc(header));
        }
        m_html += QStringLiteral("</tr>\n");
        for (const QStringList& row : rows) {
            m_html += QStringLiteral("<tr>");
            for (int c = 0; c < row.size(); ++c) {
                m_html += c >= firstNumberColumn
                              ? QStringLiteral("<td align=\"right\">%1</td>").arg(esc(row[c]))
                              : QStringLiteral("<td>%1</td>").arg(esc(row[c]));
            }
            m_html += QStringLiteral("</tr>\n");
        }
        m_html += QStringLiteral("</table>\n");
    }
    void image(const QString& name, const QImage& image, const QString& caption)
    {
        m_images.insert(name, image);
        const int width = int(image.width() / image.devicePixelRatio());
        m_html += QStringLiteral("<p><img src=\"report:%1\" width=\"%2\"><br><i>%3</i></p>\n")
                      .arg(name)
                      .arg(width)
                      .arg(esc(caption));
    }

    // Images side by side, `columns` to a row, each `width` px wide over its caption.
    void imageGrid(const QVector<std::pair<QString, QImage>>& images, const QStringList& captions,
                   int columns, int width)
    {
        m_html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"4\" width=\"100%\">\n");
        for (int i = 0; i < images.size(); ++i) {
            if (i % columns == 0) {
                m_html += QStringLiteral("<tr>");
            }
            m_images.insert(images[i].first, images[i].second);
            m_html += QStringLiteral("<td valign=\"top\" width=\"%1%\"><img src=\"report:%2\" "
                                     "width=\"%3\"><br><small><i>%4</i></small></td>")
                          .arg(100 / columns)
                          .arg(images[i].first)
                          .arg(width)
                          .arg(esc(captions.value(i)));
            if (i % columns == columns - 1 || i == images.size() - 1) {
                m_html += QStringLiteral("</tr>\n");
            }
        }
        m_html += QStringLiteral("</table>\n");
    }

    QString html() const { return m_html; }
    const QMap<QString, QImage>& images() const { return m_images; }

private:
    QString m_html;
    QMap<QString, QImage> m_images;
};

QJsonObject projectJsonOf(const Project& project)
{
    return QJsonDocument::fromJson(projectToJson(project)).object();
}

// True when the setting says nothing for this project: a share of an automatic split when the
// folders split, a setting of a callback that is off.
bool irrelevant(const QJsonObject& json, const SettingField& field)
{
    if (field.path().startsWith(QLatin1String("dataset.split.")) &&
        settingValueText(json, QStringLiteral("dataset.split_mode"))
            .endsWith(QLatin1String("(folders)"))) {
        return true;
    }
    const QString enabled = field.section + QStringLiteral(".enabled");
    return field.key != QLatin1String("enabled") && findSettingField(enabled) != nullptr &&
           settingValueText(json, enabled) == QLatin1String("off");
}

// "Image size (target_size)" | value rows of the settings under `prefixes` (paths or their
// sections), each path once, leaving out those under `leaveOut` and those that do not apply.
QVector<QStringList> settingRows(const QJsonObject& json, const QStringList& prefixes,
                                 const QStringList& leaveOut = {})
{
    const auto under = [](const QString& path, const QStringList& list) {
        return std::any_of(list.begin(), list.end(), [&](const QString& p) {
            return path == p || path.startsWith(p + QLatin1Char('.'));
        });
    };
    QVector<QStringList> rows;
    QStringList seen;
    for (const SettingField* field : allSettingFields()) {
        const QString path = field->path();
        if (!under(path, prefixes) || under(path, leaveOut) || seen.contains(path) ||
            irrelevant(json, *field)) {
            continue;
        }
        seen << path;
        const QString value = settingValueText(json, path);
        if (!value.isEmpty()) {
            rows << QStringList{QStringLiteral("%1 (%2)").arg(field->label, field->kerasName()),
                                value};
        }
    }
    return rows;
}

QString classList(const QStringList& classes)
{
    return classes.join(QStringLiteral(", "));
}

void addDataset(HtmlReport& out, const RunReport& r)
{
    const QJsonObject json = projectJsonOf(r.project);
    out.heading(2, QStringLiteral("Dataset"));
    out.paragraph(QStringLiteral("Folder: %1. %2 classes: %3.")
                      .arg(QDir::toNativeSeparators(r.project.dataset.root))
                      .arg(r.classes.size())
                      .arg(classList(r.classes)));
    out.table({QStringLiteral("Setting"), QStringLiteral("Value")},
              settingRows(
                  json, {QStringLiteral("dataset.split_mode"), QStringLiteral("dataset.split"),
                         QStringLiteral("dataset.split_seed"), QStringLiteral("dataset.group_by")}),
              2);
    if (r.explicitSplit) {
        out.paragraph(QStringLiteral("This run used its own split of the images (splits.json), "
                                     "as a cross-validation fold does."));
    }
    if (!r.counts.isEmpty()) {
        QVector<QStringList> rows;
        QVector<int> totals(3, 0);
        for (int c = 0; c < r.counts.size(); ++c) {
            QStringList row = {r.classes[c]};
            for (int s = 0; s < 3; ++s) {
                row << QString::number(r.counts[c][s]);
                totals[s] += r.counts[c][s];
            }
            rows << row;
        }
        rows << QStringList{QStringLiteral("all"), QString::number(totals[0]),
                            QString::number(totals[1]), QString::number(totals[2])};
        out.table({QStringLiteral("Class"), QStringLiteral("Training"),
                   QStringLiteral("Validation"), QStringLiteral("Test")},
                  rows);
    }
    if (!r.countsNote.isEmpty()) {
        out.paragraph(r.countsNote);
    }
    if (r.skipped.isEmpty()) {
        out.paragraph(QStringLiteral("No file was skipped."));
    } else {
        QStringList skipped;
        for (int i = 0; i < r.skipped.size() && i < 20; ++i) {
            skipped << QStringLiteral("%1: %2").arg(r.skipped[i].path, r.skipped[i].reason);
        }
        out.paragraph(
            QStringLiteral("%1 files were skipped%2:")
                .arg(r.skipped.size())
                .arg(r.skipped.size() > 20 ? QStringLiteral(" (the first 20)") : QString()));
        out.list(skipped);
    }
}

void addPreprocessing(HtmlReport& out, const RunReport& r)
{
    const QJsonObject json = projectJsonOf(r.project);
    out.heading(2, QStringLiteral("Preprocessing and augmentation"));
    out.table(
        {QStringLiteral("Setting"), QStringLiteral("Value")},
        settingRows(json, {QStringLiteral("dataset"), QStringLiteral("augmentation")},
                    {QStringLiteral("dataset.root"), QStringLiteral("dataset.split_mode"),
                     QStringLiteral("dataset.split"), QStringLiteral("dataset.split_seed"),
                     QStringLiteral("dataset.group_by"), QStringLiteral("dataset.group_pattern")}),
        2);
}

void addNetwork(HtmlReport& out, const RunReport& r)
{
    out.heading(2, QStringLiteral("Network"));
    QVector<QStringList> rows;
    for (const LayerSummary& layer : r.summary.layers) {
        rows << QStringList{QStringLiteral("%1 (%2)").arg(layer.name, layerTypeName(layer.type)),
                            formatKerasShape(layer.outputShape), thousands(layer.params)};
    }
    out.table(
        {QStringLiteral("Layer (type)"), QStringLiteral("Output Shape"), QStringLiteral("Param #")},
        rows, 2);
    out.paragraph(QStringLiteral("Total params: %1. Trainable params: %2. Non-trainable params: "
                                 "%3. Input: %4 x %5 px, %6 channel(s).")
                      .arg(thousands(r.summary.totalParams), thousands(r.summary.trainableParams),
                           thousands(r.summary.nonTrainableParams))
                      .arg(r.summary.input.height)
                      .arg(r.summary.input.width)
                      .arg(r.summary.input.channels));
}

QImage historyChart(const QVector<const RunReport*>& runs, bool loss)
{
    LineChart chart;
    chart.title = loss ? QStringLiteral("Loss") : QStringLiteral("Accuracy");
    chart.xLabel = QStringLiteral("epoch");
    chart.wholeX = true;
    chart.yLabel = loss ? QStringLiteral("loss") : QStringLiteral("accuracy");
    for (int i = 0; i < runs.size(); ++i) {
        ChartSeries training{runs.size() > 1 ? QString() : chart.yLabel, {}, seriesColor(0)};
        ChartSeries validation{QStringLiteral("val_") + chart.yLabel, {}, seriesColor(1)};
        if (runs.size() > 1) {
            training.color = validation.color = seriesColor(i);
            training.dashed = true;
            validation.name = QStringLiteral("fold %1: val_%2").arg(i + 1).arg(chart.yLabel);
        }
        validation.markers = true;
        for (const EpochRecord& e : runs[i]->history.epochs()) {
            const double train = loss ? e.metrics.loss : e.metrics.accuracy;
            const double val = loss ? e.metrics.valLoss : e.metrics.valAccuracy;
            training.points << QPointF(e.epoch + 1, train);
            if (!std::isnan(val)) {
                validation.points << QPointF(e.epoch + 1, val);
            }
        }
        chart.series << training << validation;
    }
    return paintLineChart(chart, kChartSize);
}

void addTraining(HtmlReport& out, const RunReport& r)
{
    const QJsonObject json = projectJsonOf(r.project);
    out.heading(2, QStringLiteral("Training"));
    out.table({QStringLiteral("Setting"), QStringLiteral("Value")},
              settingRows(json, {QStringLiteral("training")}), 2);
    QStringList facts;
    facts << QStringLiteral("Epochs run: %1 of %2.")
                 .arg(r.history.size())
                 .arg(r.project.training.epochs);
    if (r.hasEnded) {
        facts << QStringLiteral("Ended: %1%2")
                     .arg(r.ended.outcome == RunEndedEvent::Outcome::Finished
                              ? QStringLiteral("finished")
                          : r.ended.outcome == RunEndedEvent::Outcome::Stopped
                              ? QStringLiteral("stopped")
                              : QStringLiteral("failed"))
                     .arg(r.ended.reason.isEmpty() ? QStringLiteral(".")
                                                   : QStringLiteral(": ") + r.ended.reason);
    }
    facts << r.callbackActions;
    out.list(facts);
    if (!r.history.isEmpty()) {
        out.image(QStringLiteral("loss"), historyChart({&r}, true),
                  QStringLiteral("Loss per epoch: training and validation."));
        out.image(QStringLiteral("accuracy"), historyChart({&r}, false),
                  QStringLiteral("Accuracy per epoch: training and validation."));
    }
}

QString areaText(double value)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', 3);
}

constexpr int kSaliencyExamples = 4; // of each kind: correct, misclassified

// The test images shown with their saliency maps: the most confident right answers and the
// most confident mistakes, as files that still exist.
QVector<ClassifiedImage> saliencyExamples(const RunReport& r)
{
    const QDir root(r.project.dataset.root);
    QVector<ClassifiedImage> examples;
    for (const QVector<ClassifiedImage>* kind :
         {&r.evaluation.correct, &r.evaluation.misclassified}) {
        int taken = 0;
        for (const ClassifiedImage& image : *kind) {
            if (taken == kSaliencyExamples) {
                break;
            }
            ClassifiedImage found = image;
            found.path = root.filePath(image.path);
            if (QFileInfo::exists(found.path)) {
                examples << found;
                ++taken;
            }
        }
    }
    return examples;
}

// "Right: squares, taken for squares (97.1%) — Grad-CAM at layer 4 (Conv2D) — 3.png".
QString saliencyCaption(const RunReport& r, const ClassifiedImage& image, const SaliencyMap& map)
{
    const bool right = image.trueLabel == image.predictedLabel;
    QString caption = QStringLiteral("%1: true %2, predicted %3 (%4) — %5 of the predicted class, "
                                     "%6 — %7")
                          .arg(right ? QStringLiteral("Right") : QStringLiteral("Wrong"),
                               r.classes.value(image.trueLabel),
                               r.classes.value(image.predictedLabel), percent(image.confidence),
                               map.method == SaliencyMethod::GradCam ? QStringLiteral("Grad-CAM")
                                                                     : QStringLiteral("Occlusion"),
                               map.layer, QFileInfo(image.path).fileName());
    if (!map.note.isEmpty()) {
        caption += QStringLiteral(" (%1)").arg(map.note);
    }
    return caption;
}

// A few test images with the map of where the model looked, or a sentence saying why none.
void addSaliencyExamples(HtmlReport& out, const RunReport& r, const QString& prefix)
{
    out.heading(3, QStringLiteral("Where the model looked (saliency examples)"), true);
    if (r.modelPath.isEmpty() || !QFileInfo::exists(r.modelPath)) {
        out.paragraph(QStringLiteral("No saliency examples: the run has no model file."));
        return;
    }
    const QVector<ClassifiedImage> examples = saliencyExamples(r);
    if (examples.isEmpty()) {
        out.paragraph(QStringLiteral("No saliency examples: the test images are no longer in %1.")
                          .arg(QDir::toNativeSeparators(r.project.dataset.root)));
        return;
    }
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(r.modelPath, 1);
    if (!explainer.ok()) {
        out.paragraph(
            QStringLiteral("No saliency examples: the model file could not be loaded (%1).")
                .arg(explainer.error()));
        return;
    }
    out.paragraph(
        QStringLiteral(
            "Up to %1 of the most confident right answers and %1 of the most confident mistakes, "
            "each coloured by how much each part of the image raised the predicted class's score "
            "(red most, blue least).")
            .arg(kSaliencyExamples));
    QVector<std::pair<QString, QImage>> images;
    QStringList captions;
    QStringList failures;
    for (int i = 0; i < examples.size(); ++i) {
        const SaliencyMap map = explainer->explainFile(examples[i].path, SaliencyOptions{});
        const QImage overlay = QImage::fromData(saliencyOverlayPng(map), "PNG");
        if (overlay.isNull()) {
            failures << QStringLiteral("%1: %2").arg(QFileInfo(examples[i].path).fileName(),
                                                     map.error);
            continue;
        }
        images.append({prefix + QStringLiteral("saliency%1").arg(i + 1), overlay});
        captions << saliencyCaption(r, examples[i], map);
    }
    out.imageGrid(images, captions, kSaliencyExamples, 120);
    if (!failures.isEmpty()) {
        out.list(failures);
    }
}

void addResults(HtmlReport& out, const RunReport& r, const QString& prefix)
{
    out.heading(2, QStringLiteral("Results on the test images"));
    if (!r.hasEvaluation) {
        out.paragraph(QStringLiteral("The run has no test evaluation (it did not finish, or its "
                                     "dataset has no test images)."));
        return;
    }
    const EvaluationMetrics& m = r.evaluation;
    out.list({QStringLiteral("Test images: %1.").arg(m.count),
              QStringLiteral("Accuracy: %1.").arg(withInterval(m.accuracy, m.accuracyInterval)),
              QStringLiteral("Balanced accuracy (mean recall over the classes): %1, Price and "
                             "Bonett's interval.")
                  .arg(withInterval(m.balancedAccuracy, m.balancedAccuracyInterval)),
              QStringLiteral("Macro F1: %1.").arg(m.macroF1, 0, 'f', 3),
              QStringLiteral("ROC AUC (each class against the rest, macro average): %1; average "
                             "precision (PR AUC, macro): %2.")
                  .arg(areaText(m.macroAverage.rocAuc), areaText(m.macroAverage.averagePrecision)),
              QStringLiteral("Expected calibration error: %1 (%2 bins).")
                  .arg(percent(m.calibration.expectedError))
                  .arg(m.calibration.bins.size())});
    QVector<QStringList> rows;
    for (const ClassMetrics& c : m.perClass) {
        rows << QStringList{c.name,
                            QString::number(c.precision, 'f', 3),
                            QStringLiteral("%1 (%2–%3)")
                                .arg(c.recall, 0, 'f', 3)
                                .arg(c.recallInterval.low, 0, 'f', 2)
                                .arg(c.recallInterval.high, 0, 'f', 2),
                            QString::number(c.f1, 'f', 3),
                            QString::number(c.support),
                            areaText(c.rocAuc),
                            areaText(c.averagePrecision)};
    }
    out.table({QStringLiteral("Class"), QStringLiteral("Precision"),
               QStringLiteral("Recall (95% CI)"), QStringLiteral("F1"), QStringLiteral("Support"),
               QStringLiteral("ROC AUC"), QStringLiteral("PR AUC")},
              rows);
    out.image(prefix + QStringLiteral("confusion"), paintConfusionMatrix(m, kSquareChartSize),
              QStringLiteral("Confusion matrix of the test images (rows: true class)."));
    if (!m.curves.isEmpty()) {
        out.image(prefix + QStringLiteral("roc"), paintRocCurves(m.curves, kSquareChartSize),
                  QStringLiteral("ROC curve of each class against the rest."));
        out.image(prefix + QStringLiteral("calibration"),
                  paintCalibration(m.calibration, kSquareChartSize),
                  QStringLiteral("Calibration: how often the answer was right, per range of the "
                                 "model's confidence (the number of images above each bar)."));
    }
    addSaliencyExamples(out, r, prefix);
}

void addReproducibility(HtmlReport& out, const RunReport& r)
{
    out.heading(2, QStringLiteral("Reproducibility"));
    const RunEnvironment& e = r.environment;
    const QString unknown = QStringLiteral("not recorded (the run was made by an older version)");
    QVector<QStringList> rows = {
        {QStringLiteral("Run folder"), QDir::toNativeSeparators(r.runDir)},
        {QStringLiteral("Started"),
         r.startedAt.isValid() ? r.startedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                               : QStringLiteral("unknown")},
        {QStringLiteral("Random seed"),
         QStringLiteral("%1 (initial weights, shuffling, augmentation)")
             .arg(r.project.training.seed)},
        {QStringLiteral("Split seed"), QString::number(r.project.dataset.splitSeed)},
        {QStringLiteral("Threads"), r.hasStarted ? QString::number(r.started.threads) : unknown},
        {QStringLiteral("Training time"), QStringLiteral("%1 s").arg(r.trainingSeconds, 0, 'f', 1)},
        {QStringLiteral("Software"), e.isEmpty() ? unknown : describeSoftware(e)},
        {QStringLiteral("BLAS"), e.isEmpty() ? unknown : e.blas},
        {QStringLiteral("Operating system"), e.isEmpty() ? unknown : e.os},
        {QStringLiteral("Processor"), e.isEmpty() ? unknown : e.cpu},
        {QStringLiteral("Model file"),
         r.modelPath.isEmpty() ? QStringLiteral("none") : QDir::toNativeSeparators(r.modelPath)},
        {QStringLiteral("Model SHA-256"),
         r.modelSha256.isEmpty() ? QStringLiteral("–") : r.modelSha256}};
    out.table({QStringLiteral("What"), QStringLiteral("Value")}, rows, 2);
}

void addMethods(HtmlReport& out, const QString& methods)
{
    out.heading(2, QStringLiteral("Methods"));
    out.paragraph(methods);
    out.rawParagraph(QStringLiteral("<i>Generated from the run's files: check it, then paste and "
                                    "edit.</i>"));
}

void addTitle(HtmlReport& out, const QString& title, const QString& dir)
{
    out.heading(1, title);
    out.paragraph(
        QStringLiteral("%1, written by %2 %3 on %4.")
            .arg(QDir::toNativeSeparators(dir), QString::fromLatin1(kProductName),
                 QString::fromLatin1(kVersion),
                 QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
}

ReportContent runContent(const RunReport& r)
{
    ReportContent content;
    content.title = QStringLiteral("Run report: %1").arg(QFileInfo(r.runDir).fileName());
    content.methods = methodsParagraph(r, nullptr);
    HtmlReport out;
    addTitle(out, content.title, r.runDir);
    addMethods(out, content.methods);
    addDataset(out, r);
    addPreprocessing(out, r);
    addNetwork(out, r);
    addTraining(out, r);
    addResults(out, r, QString());
    addReproducibility(out, r);
    content.html = out.html();
    content.images = out.images();
    return content;
}

QString meanSd(const MeanSd& value)
{
    return QStringLiteral("%1 ± %2").arg(percent(value.mean), percent(value.sd));
}

void addCrossValidationResults(HtmlReport& out, const CrossValidationReport& cv)
{
    const CrossValidationSummary& s = cv.summary;
    out.heading(2, QStringLiteral("Cross-validation results"));
    out.paragraph(
        QStringLiteral("%1 folds%2; each fold's model was tested on the images it was "
                       "not trained on. Mean ± standard deviation over %3 runs.")
            .arg(s.folds)
            .arg(s.repeats > 1 ? QStringLiteral(", repeated %1 times").arg(s.repeats) : QString())
            .arg(s.scores.size()));
    QVector<QStringList> rows;
    for (const FoldScore& f : s.scores) {
        rows << QStringList{
            s.repeats > 1 ? QStringLiteral("repeat %1, fold %2").arg(f.repeat + 1).arg(f.fold + 1)
                          : QStringLiteral("fold %1").arg(f.fold + 1),
            QString::number(f.testCount), percent(f.accuracy), percent(f.balancedAccuracy),
            QString::number(f.macroF1, 'f', 3)};
    }
    rows << QStringList{
        QStringLiteral("mean ± SD"), QString(), meanSd(s.accuracy), meanSd(s.balancedAccuracy),
        QStringLiteral("%1 ± %2").arg(s.macroF1.mean, 0, 'f', 3).arg(s.macroF1.sd, 0, 'f', 3)};
    out.table({QStringLiteral("Run"), QStringLiteral("Test images"), QStringLiteral("Accuracy"),
               QStringLiteral("Balanced accuracy"), QStringLiteral("Macro F1")},
              rows);
    QVector<QStringList> recall;
    for (int c = 0; c < s.classes.size() && c < s.recall.size(); ++c) {
        recall << QStringList{s.classes[c], meanSd(s.recall[c])};
    }
    out.table({QStringLiteral("Class"), QStringLiteral("Recall, mean ± SD")}, recall);
    QVector<const RunReport*> folds;
    for (const RunReport& fold : cv.folds) {
        folds << &fold;
    }
    out.image(QStringLiteral("folds-accuracy"), historyChart(folds, false),
              QStringLiteral("Accuracy per epoch of every fold: validation (dots) and training "
                             "(dashed)."));
}

ReportContent crossValidationContent(const CrossValidationReport& cv)
{
    const RunReport& first = cv.folds.first();
    ReportContent content;
    content.title =
        QStringLiteral("Cross-validation report: %1").arg(QFileInfo(cv.outDir).fileName());
    content.methods = methodsParagraph(first, &cv);
    HtmlReport out;
    addTitle(out, content.title, cv.outDir);
    addMethods(out, content.methods);
    addCrossValidationResults(out, cv);
    out.paragraph(QStringLiteral("The sections below describe fold 1 (%1); the other folds differ "
                                 "only in their images and seed.")
                      .arg(QDir::toNativeSeparators(first.runDir)));
    addDataset(out, first);
    addPreprocessing(out, first);
    addNetwork(out, first);
    addTraining(out, first);
    addResults(out, first, QStringLiteral("fold1-"));
    addReproducibility(out, first);
    content.html = out.html();
    content.images = out.images();
    return content;
}

// The HTML as a whole page, images either embedded as data URLs or left as report: names.
QString pageHtml(const ReportContent& content, bool embedImages)
{
    QString body = content.html;
    if (embedImages) {
        for (auto it = content.images.begin(); it != content.images.end(); ++it) {
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            it.value().save(&buffer, "PNG");
            body.replace(QStringLiteral("src=\"report:%1\"").arg(it.key()),
                         QStringLiteral("src=\"data:image/png;base64,%1\"")
                             .arg(QString::fromLatin1(png.toBase64())));
        }
    }
    return QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                          "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;}"
                          "table{border-collapse:collapse;margin:0.5em 0;}th{background:#eee;}"
                          "</style></head>\n<body>\n%2</body></html>\n")
        .arg(esc(content.title), body);
}

void writePdf(const ReportContent& content, QIODevice* device)
{
    QTextDocument document;
    for (auto it = content.images.begin(); it != content.images.end(); ++it) {
        document.addResource(QTextDocument::ImageResource,
                             QUrl(QStringLiteral("report:%1").arg(it.key())), it.value());
    }
    document.setHtml(pageHtml(content, false));
    QPdfWriter writer(device);
    writer.setTitle(content.title);
    writer.setCreator(QStringLiteral("%1 %2").arg(QString::fromLatin1(kProductName),
                                                  QString::fromLatin1(kVersion)));
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter));
    writer.setResolution(150);
    document.print(&writer);
}

} // namespace

Result<ReportContent> buildReport(const QString& dir)
{
    if (!QFileInfo(dir).isDir()) {
        return Failure{QStringLiteral("%1 is not a folder. Give a run folder (with project.json) "
                                      "or a cross-validation folder (with crossval.json).")
                           .arg(QDir::toNativeSeparators(dir))};
    }
    if (isCrossValidationFolder(dir)) {
        const Result<CrossValidationReport> cv = readCrossValidationReport(dir);
        if (!cv.ok()) {
            return Failure{cv.error()};
        }
        return crossValidationContent(*cv);
    }
    const Result<RunReport> run = readRunReport(dir);
    if (!run.ok()) {
        return Failure{run.error()};
    }
    return runContent(*run);
}

Status writeReport(const ReportContent& content, const QString& outPath)
{
    const QString suffix = QFileInfo(outPath).suffix().toLower();
    const bool pdf = suffix == QLatin1String("pdf");
    if (!pdf && suffix != QLatin1String("html") && suffix != QLatin1String("htm")) {
        return Failure{QStringLiteral("%1: the report is written as .pdf or .html; give the file "
                                      "one of these extensions.")
                           .arg(QDir::toNativeSeparators(outPath))};
    }
    QSaveFile file(outPath);
    if (!file.open(QIODevice::WriteOnly)) {
        return Failure{QStringLiteral("Could not write %1 (%2). Choose a folder you can write to.")
                           .arg(QDir::toNativeSeparators(outPath), file.errorString())};
    }
    if (pdf) {
        writePdf(content, &file);
    } else {
        file.write(pageHtml(content, true).toUtf8());
    }
    if (!file.commit()) {
        return Failure{QStringLiteral("Could not write %1 (%2). Check the free space.")
                           .arg(QDir::toNativeSeparators(outPath), file.errorString())};
    }
    return {};
}

Status writeRunReport(const QString& dir, const QString& outPath)
{
    const Result<ReportContent> content = buildReport(dir);
    if (!content.ok()) {
        return Failure{content.error()};
    }
    return writeReport(*content, outPath);
}

} // namespace studio
