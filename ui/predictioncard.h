// One classified image on the Classify page: thumbnail, file name, the top three classes with
// probability bars, and an "uncertain" mark when the best probability is under the threshold.
#pragma once

#include "export/predictor.h"

#include <QImage>
#include <QWidget>

class QLabel;

namespace studio {

class PredictionCard : public QWidget
{
    Q_OBJECT

public:
    PredictionCard(const Prediction& prediction, const QImage& thumbnail,
                   QWidget* parent = nullptr);

    const Prediction& prediction() const { return m_prediction; }
    // Marks the answer uncertain when its confidence is under `threshold`.
    void setThreshold(double threshold);
    bool isUncertain() const { return m_prediction.uncertain; }

private:
    Prediction m_prediction;
    QLabel* m_uncertain = nullptr;
};

} // namespace studio
