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
    // Shows `overlay` (a saliency overlay, scaled to fit) instead of the thumbnail, with
    // `caption` as the image's tooltip; a null image shows the thumbnail again. overlay() is
    // the picture shown (only the scaled copy is kept).
    void setOverlay(const QImage& overlay, const QString& caption = QString());
    bool showsOverlay() const { return !m_overlay.isNull(); }
    const QImage& overlay() const { return m_overlay; }

private:
    Prediction m_prediction;
    QImage m_thumbnail;
    QImage m_overlay;
    QLabel* m_image = nullptr;
    QLabel* m_uncertain = nullptr;
};

} // namespace studio
