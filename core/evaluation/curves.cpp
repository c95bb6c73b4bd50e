#include "evaluation/curves.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace studio {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDrawingStep = 1.0 / 250; // the smallest step kept in a drawn curve

// The cumulative counts at each distinct score, highest score first.
struct ThresholdCounts
{
    double threshold = 0;
    int truePositives = 0;
    int falsePositives = 0;
};

QVector<ThresholdCounts> countsAtEachThreshold(const std::vector<float>& scores,
                                               const std::vector<bool>& positive)
{
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&scores](size_t a, size_t b) { return scores[a] > scores[b]; });
    QVector<ThresholdCounts> counts;
    int tp = 0;
    int fp = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        (positive[order[i]] ? tp : fp) += 1;
        const bool lastOfItsScore =
            i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]];
        if (lastOfItsScore) {
            counts.push_back({double(scores[order[i]]), tp, fp});
        }
    }
    return counts;
}

// Keeps the first and last points and those at least kDrawingStep from the last kept one.
QVector<CurvePoint> thinnedForDrawing(const QVector<CurvePoint>& points)
{
    if (points.size() <= 2) {
        return points;
    }
    QVector<CurvePoint> kept = {points.first()};
    for (int i = 1; i + 1 < points.size(); ++i) {
        const CurvePoint& last = kept.last();
        if (std::hypot(points[i].x - last.x, points[i].y - last.y) >= kDrawingStep) {
            kept.push_back(points[i]);
        }
    }
    kept.push_back(points.last());
    return kept;
}

void addRocCurve(ClassCurves* curves, const QVector<ThresholdCounts>& counts)
{
    const double p = curves->positives;
    const double n = curves->negatives;
    QVector<CurvePoint> roc = {{0, 0, std::numeric_limits<double>::infinity()}};
    double area = 0;
    for (const ThresholdCounts& c : counts) {
        const CurvePoint point{n > 0 ? c.falsePositives / n : 0, p > 0 ? c.truePositives / p : 0,
                               c.threshold};
        area += (point.x - roc.last().x) * (point.y + roc.last().y) / 2;
        roc.push_back(point);
    }
    curves->rocAuc = p > 0 && n > 0 ? area : kNaN;
    curves->roc = thinnedForDrawing(roc);
}

void addPrecisionRecallCurve(ClassCurves* curves, const QVector<ThresholdCounts>& counts)
{
    const double p = curves->positives;
    QVector<CurvePoint> pr = {{0, 1, std::numeric_limits<double>::infinity()}};
    double area = 0;
    double previousRecall = 0;
    for (const ThresholdCounts& c : counts) {
        const double recall = p > 0 ? c.truePositives / p : 0;
        const double precision = double(c.truePositives) / (c.truePositives + c.falsePositives);
        area += (recall - previousRecall) * precision;
        previousRecall = recall;
        pr.push_back({recall, precision, c.threshold});
    }
    curves->averagePrecision = p > 0 ? area : kNaN;
    curves->precisionRecall = thinnedForDrawing(pr);
}

} // namespace

ClassCurves oneVsRestCurves(const QString& name, const std::vector<float>& scores,
                            const std::vector<bool>& positive)
{
    ClassCurves curves;
    curves.name = name;
    const size_t n = std::min(scores.size(), positive.size());
    curves.positives = int(std::count(positive.begin(), positive.begin() + ptrdiff_t(n), true));
    curves.negatives = int(n) - curves.positives;
    const QVector<ThresholdCounts> counts = countsAtEachThreshold(
        std::vector<float>(scores.begin(), scores.begin() + ptrdiff_t(n)), positive);
    addRocCurve(&curves, counts);
    addPrecisionRecallCurve(&curves, counts);
    return curves;
}

Calibration computeCalibration(const std::vector<float>& confidence,
                               const std::vector<bool>& correct, int bins)
{
    Calibration calibration;
    bins = std::max(1, bins);
    QVector<double> confidenceSums(bins, 0.0);
    QVector<int> hits(bins, 0);
    calibration.bins.resize(bins);
    for (int b = 0; b < bins; ++b) {
        calibration.bins[b].low = double(b) / bins;
        calibration.bins[b].high = double(b + 1) / bins;
    }
    const size_t n = std::min(confidence.size(), correct.size());
    for (size_t i = 0; i < n; ++i) {
        const double c = std::clamp(double(confidence[i]), 0.0, 1.0);
        const int b = std::min(bins - 1, int(c * bins));
        ++calibration.bins[b].count;
        confidenceSums[b] += c;
        hits[b] += correct[i] ? 1 : 0;
    }
    for (int b = 0; b < bins; ++b) {
        CalibrationBin& bin = calibration.bins[b];
        if (bin.count == 0) {
            continue;
        }
        bin.meanConfidence = confidenceSums[b] / bin.count;
        bin.accuracy = double(hits[b]) / bin.count;
        const double gap = std::abs(bin.accuracy - bin.meanConfidence);
        calibration.expectedError += gap * bin.count / double(n);
        calibration.maximumError = std::max(calibration.maximumError, gap);
    }
    return calibration;
}

double meanOfDefined(const QVector<double>& values)
{
    double sum = 0;
    int count = 0;
    for (double v : values) {
        if (!std::isnan(v)) {
            sum += v;
            ++count;
        }
    }
    return count > 0 ? sum / count : kNaN;
}

} // namespace studio
