// Ways to read scores beyond the chosen class: each class's ROC and precision-recall curves
// (one against the rest) with their areas, and the calibration (reliability) of the model's
// confidence with its expected calibration error. Plain values, no LibTorch.
#pragma once

#include <QString>
#include <QVector>

#include <limits>
#include <vector>

namespace studio {

// A point of a threshold curve: reached by calling "of the class" every image whose score is at
// least `threshold` (infinity for the point that calls no image so).
struct CurvePoint
{
    double x = 0;
    double y = 0;
    double threshold = std::numeric_limits<double>::infinity();
};

// One class against the rest.
struct ClassCurves
{
    QString name;
    int positives = 0; // images of the class
    int negatives = 0; // images of the other classes
    // Area under the ROC curve: the chance that an image of the class scores higher than one
    // of another class (ties count half), as scikit-learn's roc_auc_score. NaN without images
    // of the class or without images of the others.
    double rocAuc = std::numeric_limits<double>::quiet_NaN();
    // Area under the precision-recall curve as scikit-learn's average_precision_score: the
    // precision at each threshold weighted by the recall it adds. NaN without images of the
    // class.
    double averagePrecision = std::numeric_limits<double>::quiet_NaN();
    QVector<CurvePoint> roc;             // x false-positive rate, y true-positive rate
    QVector<CurvePoint> precisionRecall; // x recall, y precision
};

// The images whose confidence falls in [low, high) ([low, 1] for the last bin).
struct CalibrationBin
{
    double low = 0;
    double high = 1;
    int count = 0;
    double meanConfidence = 0; // of its images (0 when empty)
    double accuracy = 0;       // the fraction of its images classified correctly (0 when empty)
};

// How far the model's confidence in its answer is from how often it is right.
struct Calibration
{
    QVector<CalibrationBin> bins;
    // Sum over the bins of (images in the bin / all images) * |accuracy - mean confidence|
    // (Guo et al., 2017).
    double expectedError = 0;
    double maximumError = 0; // the largest |accuracy - mean confidence| of a bin with images
};

// The curves of one class against the rest: scores[i] is image i's probability of the class,
// positive[i] whether it is of the class. The areas are computed on every threshold; the
// curves kept for drawing drop points closer than about 1/250 of the chart to the last kept
// one (the first and last points stay).
ClassCurves oneVsRestCurves(const QString& name, const std::vector<float>& scores,
                            const std::vector<bool>& positive);

// The reliability of the model's confidence (the probability of the class it answers) in
// `bins` equal-width bins over [0, 1]; correct[i] says whether image i's answer was right.
Calibration computeCalibration(const std::vector<float>& confidence,
                               const std::vector<bool>& correct, int bins = 10);

// The mean of the values that are not NaN (NaN when there are none).
double meanOfDefined(const QVector<double>& values);

} // namespace studio
