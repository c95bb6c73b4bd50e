#include "predictioncard.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>

namespace studio {

PredictionCard::PredictionCard(const Prediction& prediction, const QImage& thumbnail,
                               QWidget* parent)
    : QWidget(parent), m_prediction(prediction), m_thumbnail(thumbnail)
{
    setObjectName(QStringLiteral("predictionCard"));
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("cardImage"));
    m_image->setFixedSize(96, 96);
    m_image->setAlignment(Qt::AlignCenter);
    setOverlay(QImage());
    layout->addWidget(m_image, 0, 0, 5, 1);

    auto* name = new QLabel(
        QStringLiteral("<b>%1</b>").arg(QFileInfo(prediction.path).fileName().toHtmlEscaped()));
    name->setObjectName(QStringLiteral("fileName"));
    name->setToolTip(prediction.path);
    layout->addWidget(name, 0, 1, 1, 2);
    m_uncertain = new QLabel(tr("uncertain"));
    m_uncertain->setObjectName(QStringLiteral("uncertainMark"));
    m_uncertain->setStyleSheet(
        QStringLiteral("color: white; background: #d68910; border-radius: 3px; padding: 1px 4px;"));
    m_uncertain->setToolTip(tr("The most probable class has a probability under the threshold: "
                               "check this image yourself."));
    layout->addWidget(m_uncertain, 0, 3, Qt::AlignRight);

    if (!prediction.ok()) {
        auto* error = new QLabel(prediction.error);
        error->setObjectName(QStringLiteral("predictionError"));
        error->setWordWrap(true);
        error->setStyleSheet(QStringLiteral("color: #c0392b;"));
        layout->addWidget(error, 1, 1, 1, 3);
    }
    for (int i = 0; i < prediction.top.size() && i < 3; ++i) {
        const ClassScore& score = prediction.top[i];
        auto* label =
            new QLabel(i == 0 ? QStringLiteral("<b>%1</b>").arg(score.name.toHtmlEscaped())
                              : score.name.toHtmlEscaped());
        label->setObjectName(QStringLiteral("className%1").arg(i));
        auto* bar = new QProgressBar;
        bar->setObjectName(QStringLiteral("probability%1").arg(i));
        bar->setRange(0, 1000);
        bar->setValue(qRound(score.probability * 1000));
        bar->setFormat(QStringLiteral("%1 %").arg(score.probability * 100, 0, 'f', 1));
        bar->setMaximumHeight(16);
        layout->addWidget(label, 1 + i, 1);
        layout->addWidget(bar, 1 + i, 2, 1, 2);
    }
    layout->setColumnStretch(2, 1);
    layout->setRowStretch(4, 1);
    m_uncertain->setVisible(prediction.ok() && prediction.uncertain);
}

void PredictionCard::setOverlay(const QImage& overlay, const QString& caption)
{
    m_overlay = overlay.isNull() ? QImage()
                                 : overlay.scaled(m_image->size(), Qt::KeepAspectRatio,
                                                  Qt::SmoothTransformation);
    m_image->setToolTip(caption);
    if (!m_overlay.isNull()) {
        m_image->setPixmap(QPixmap::fromImage(m_overlay));
    } else if (!m_thumbnail.isNull()) {
        m_image->setPixmap(QPixmap::fromImage(m_thumbnail));
    } else {
        m_image->setText(tr("no preview"));
    }
}

void PredictionCard::setThreshold(double threshold)
{
    m_prediction.uncertain = m_prediction.ok() && m_prediction.confidence < threshold;
    m_uncertain->setVisible(m_prediction.uncertain);
}

} // namespace studio
