// Classification metrics of a set of predictions: accuracy, top-k accuracy, confusion matrix,
// per-class precision / recall / F1, averages and the misclassified images. Plain values, no
// LibTorch, so that they can be checked on hand-made predictions.
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

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

// Precision, recall, F1 and support of one class (0 when undefined, as scikit-learn reports).
struct ClassMetrics
{
    QString name;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int support = 0; // images whose true class this is
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
    std::map<int, double> topKAccuracy;           // k -> fraction with the true class in the top k
    QVector<QVector<int>> confusion;              // [true][predicted] counts
    QVector<QVector<double>> confusionNormalized; // each row divided by its sum (0 rows stay 0)
    QVector<ClassMetrics> perClass;
    ClassMetrics macroAverage;              // unweighted mean over classes; support = all images
    ClassMetrics weightedAverage;           // mean weighted by support
    QVector<ClassifiedImage> misclassified; // most confident mistakes first, then by path
    QVector<ClassifiedImage> correct;       // the right answers, most confident first, then by path
};

// The class with the highest probability (the lowest index among equals).
int argmaxClass(const std::vector<float>& probabilities);

// Computes the metrics. Every image must have classes.size() probabilities and a label in
// range, else the result is a Failure naming the image. topK lists the k of top-k accuracy
// (those larger than the class count are left out).
Result<EvaluationMetrics> computeMetrics(const QStringList& classes,
                                         const QVector<ScoredImage>& images,
                                         const QVector<int>& topK = {3, 5});

// {"accuracy", "top_k_accuracy": {"3": ..}, "classes", "confusion_matrix",
//  "confusion_matrix_normalized", "per_class": [{"class", "precision", "recall", "f1",
//  "support"}], "macro_avg", "weighted_avg", "misclassified": [{"path", "true", "predicted",
//  "confidence"}], "correct": [same], "count"}
QJsonObject metricsToJson(const EvaluationMetrics& metrics);

// A readable report: accuracy, the per-class table and the averages.
QString formatMetricsTable(const EvaluationMetrics& metrics);

// Writes evaluation.json, confusion_matrix.csv, confusion_matrix_normalized.csv,
// per_class.csv and misclassified.csv into dir (created if missing), each atomically.
Status writeMetricsFiles(const EvaluationMetrics& metrics, const QString& dir);

// One CSV cell: quoted when it holds a comma, quote or line break, and prefixed with ' when
// it starts with =, +, - or @ so that spreadsheets do not run it as a formula.
QString csvCell(const QString& text);

} // namespace studio
