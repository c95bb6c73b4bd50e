// Classification metrics of a set of predictions: accuracy, top-k accuracy, confusion matrix,
// per-class precision / recall / F1, averages and the misclassified images. Plain values, no
// LibTorch, so that they can be checked on hand-made predictions.
#pragma once

#include "common/csv.h"
#include "common/result.h"
#include "evaluation/curves.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <map>
#include <vector>

namespace studio {

// One image's true class and the model's class probabilities (in class index order).
struct ScoredImage
{
    QString path;
    int trueLabel = 0;
    std::vector<float> probabilities;
};

// A 95% confidence interval of a proportion, as fractions.
struct Interval
{
    double low = 0;
    double high = 1;
};

// Wilson's score interval for `successes` of `trials` at 95% (z = 1.96): stays inside [0, 1]
// and is honest for small counts and for proportions near 0 or 1 (41 of 45: 0.793-0.965).
// No trials: [0, 1].
Interval wilsonInterval(int successes, int trials);

// A 95% interval of the balanced accuracy (the mean recall over the K classes that have images)
// of a confusion matrix ([true][predicted] counts): Price & Bonett's (2004) adjusted Wald
// interval for a linear function of independent proportions, which for a difference of two is
// Agresti & Caffo's and for one is close to Agresti & Coull's: each class's recall gets 2/K more
// right answers out of 4/K more images, p_k = (x_k + 2/K) / (n_k + 4/K), the variance is
// sum p_k (1 - p_k) / (n_k + 4/K) / K^2, and mean(p_k) +- 1.96 sqrt(variance) is widened to hold
// the balanced accuracy itself, within [0, 1]. It never has zero width (also at 100%). No class
// with images: [0, 1].
Interval balancedAccuracyInterval(const QVector<QVector<int>>& confusion);

// Precision, recall, F1 and support of one class (0 when undefined, as scikit-learn reports).
struct ClassMetrics
{
    QString name;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int support = 0;         // images whose true class this is
    Interval recallInterval; // of recall (per class only; averages leave it [0, 1])
    // One class against the rest (see ClassCurves); the macro average is the mean over the
    // classes where it is defined. NaN when undefined or not in the report.
    double rocAuc = std::numeric_limits<double>::quiet_NaN();
    double averagePrecision = std::numeric_limits<double>::quiet_NaN();
};

// One image's true and predicted classes and the probability of the predicted class.
struct ClassifiedImage
{
    QString path;
    int trueLabel = 0;
    int predictedLabel = 0;
    double confidence = 0;
};

// Everything computed from a set of predictions.
struct EvaluationMetrics
{
    QStringList classes;
    int count = 0;
    double accuracy = 0;
    Interval accuracyInterval;                    // 95%, Wilson
    double balancedAccuracy = 0;                  // mean recall over the classes that have images
    Interval balancedAccuracyInterval;            // 95%, balancedAccuracyInterval()
    double macroF1 = 0;                           // unweighted mean of the classes' F1
    std::map<int, double> topKAccuracy;           // k -> fraction with the true class in the top k
    QVector<QVector<int>> confusion;              // [true][predicted] counts
    QVector<QVector<double>> confusionNormalized; // each row divided by its sum (0 rows stay 0)
    QVector<ClassMetrics> perClass;
    ClassMetrics macroAverage;              // unweighted mean over classes; support = all images
    ClassMetrics weightedAverage;           // mean weighted by support
    QVector<ClassifiedImage> misclassified; // most confident mistakes first, then by path
    QVector<ClassifiedImage> correct;       // the right answers, most confident first, then by path
    QVector<ClassCurves> curves; // per class, one against the rest (empty in older reports)
    Calibration calibration;     // of the answer's confidence, 10 bins (no bins in older reports)
    // The inference engine that computed the probabilities ("opencv" or "torch") and why
    // (Predictor::engineText()); set by evaluateModel, not saved in reports.
    QString engine;
    QString engineDetail;
};

// The class with the highest probability (the lowest index among equals).
int argmaxClass(const std::vector<float>& probabilities);

// Computes the metrics. Every image must have classes.size() probabilities and a label in
// range, else the result is a Failure naming the image. topK lists the k of top-k accuracy
// (those larger than the class count are left out).
Result<EvaluationMetrics> computeMetrics(const QStringList& classes,
                                         const QVector<ScoredImage>& images,
                                         const QVector<int>& topK = {3, 5});

// Sets what follows from the confusion matrix and the per-class metrics: the accuracy's and each
// recall's interval, the balanced accuracy and its interval and the macro F1 (also for reports read
// from files written before these existed).
void completeSummaryMetrics(EvaluationMetrics* metrics);

// {"accuracy", "accuracy_ci": [low, high], "balanced_accuracy", "macro_f1", "top_k_accuracy":
//  {"3": ..}, "classes", "confusion_matrix", "confusion_matrix_normalized", "per_class":
//  [{"class", "precision", "recall", "recall_ci": [low, high], "f1", "support", "roc_auc",
//  "average_precision"}], "macro_avg", "weighted_avg", "misclassified": [{"path", "true",
//  "predicted", "confidence"}], "correct": [same], "count", "curves": [{"class", "positives",
//  "negatives", "roc": {"fpr", "tpr", "threshold"}, "precision_recall": {"recall", "precision",
//  "threshold"}}], "calibration": {"bins": [{"low", "high", "count", "mean_confidence",
//  "accuracy"}], "expected_calibration_error", "maximum_calibration_error"}}. An undefined area
//  is null; a threshold above every score is null.
QJsonObject metricsToJson(const EvaluationMetrics& metrics);

// "91.1% (79.3–96.5%)": a proportion and its interval, in percent.
QString formatWithInterval(double value, const Interval& interval, int decimals = 1);

// A readable report: accuracy, the per-class table and the averages.
QString formatMetricsTable(const EvaluationMetrics& metrics);

// Writes evaluation.json, confusion_matrix.csv, confusion_matrix_normalized.csv,
// per_class.csv, misclassified.csv, roc_curve.csv, precision_recall_curve.csv and
// calibration.csv into dir (created if missing), each atomically.
Status writeMetricsFiles(const EvaluationMetrics& metrics, const QString& dir);

} // namespace studio
