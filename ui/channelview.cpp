#include "channelview.h"

#include "qcustomplotwrapper.h"
#include "theme.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace studio {

namespace {

// Panels per row: two fit beside the settings on a 1600 px wide screen.
constexpr int kColumns = 2;

// An image label scaled to fit kImageSide, keeping its aspect ratio.
QLabel* imageLabel(const QImage& image)
{
    auto* label = new QLabel;
    label->setAlignment(Qt::AlignCenter);
    label->setMinimumSize(ChannelView::kImageSide, ChannelView::kImageSide);
    if (!image.isNull()) {
        label->setPixmap(
            QPixmap::fromImage(image.scaled(ChannelView::kImageSide, ChannelView::kImageSide,
                                            Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    }
    return label;
}

// "Red", "Green", ...: the name of a channel's false colour.
QString colourName(const QColor& colour)
{
    if (colour == QColor(Qt::white)) {
        return QObject::tr("grey");
    }
    const QVector<QPair<QColor, QString>> names = {
        {QColor(255, 0, 0), QObject::tr("red")},     {QColor(0, 255, 0), QObject::tr("green")},
        {QColor(0, 0, 255), QObject::tr("blue")},    {QColor(160, 160, 160), QObject::tr("grey")},
        {QColor(0, 255, 255), QObject::tr("cyan")},  {QColor(255, 0, 255), QObject::tr("magenta")},
        {QColor(255, 255, 0), QObject::tr("yellow")}};
    for (const auto& [c, name] : names) {
        if (c == colour) {
            return name;
        }
    }
    return {};
}

// A small bar chart of a channel's histogram, drawn in its colour.
QCustomPlot* histogramPlot(const ChannelHistogram& histogram, const QColor& colour)
{
    auto* plot = new QCustomPlot;
    plot->setObjectName(QStringLiteral("channelHistogram"));
    plot->setMinimumSize(ChannelView::kImageSide + 40, 110);
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    const int bins = int(histogram.counts.size());
    const double width = bins > 0 ? (histogram.high - histogram.low) / bins : 1.0;
    QVector<double> keys;
    for (int i = 0; i < bins; ++i) {
        keys.append(histogram.low + (i + 0.5) * width);
    }
    bars->setData(keys, histogram.counts, true);
    bars->setWidth(width);
    bars->setPen(Qt::NoPen);
    bars->setBrush(colour == QColor(Qt::white) ? QColor(90, 90, 90) : colour.darker(120));
    plot->xAxis->setRange(histogram.low, histogram.high);
    plot->xAxis->ticker()->setTickCount(2);
    QFont small = plot->xAxis->tickLabelFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    plot->xAxis->setTickLabelFont(small);
    plot->yAxis->setTickLabelFont(small);
    plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    double top = 1;
    for (const double count : histogram.counts) {
        top = std::max(top, count);
    }
    plot->yAxis->setRange(0.8, top * 1.5);
    plot->yAxis->setLabel(QObject::tr("pixels"));
    followPalette(plot);
    plot->setToolTip(QObject::tr("How many pixels have each value (logarithmic), over the whole "
                                 "range of the bit depth: a dim image's bars crowd at the left."));
    return plot;
}

} // namespace

ChannelView::ChannelView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("channelView"));
    auto* layout = new QVBoxLayout(this);
    m_caption = new QLabel;
    m_caption->setWordWrap(true);
    layout->addWidget(m_caption);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    auto* inner = new QWidget;
    m_grid = new QGridLayout(inner);
    m_grid->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    scroll->setWidget(inner);
    layout->addWidget(scroll, 1);
    showMessage(tr("Open a dataset to see the channels of its images."));
}

void ChannelView::clearPanels()
{
    while (QLayoutItem* item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_panels = 0;
}

void ChannelView::showMessage(const QString& message)
{
    clearPanels();
    m_preview = ChannelPreview();
    m_caption->setText(message);
}

QWidget* ChannelView::compositePanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->addWidget(new QLabel(m_preview.channels.size() > 1 ? tr("All channels (false colours)")
                                                               : tr("The image")));
    layout->addWidget(imageLabel(m_preview.composite));
    layout->addStretch(1);
    return panel;
}

QWidget* ChannelView::channelPanel(int channel)
{
    const int count = int(m_preview.channels.size());
    const QColor colour = channelColour(channel, count);
    const ChannelHistogram& histogram = m_preview.histograms[channel];
    const QLocale locale;
    auto* panel = new QWidget;
    panel->setObjectName(QStringLiteral("channelPanel"));
    auto* layout = new QVBoxLayout(panel);
    layout->addWidget(new QLabel(tr("Channel %1 (%2)").arg(channel + 1).arg(colourName(colour))));
    layout->addWidget(imageLabel(m_preview.channels[channel]));
    auto* range = new QLabel(tr("Values %1 to %2")
                                 .arg(locale.toString(histogram.minimum, 'g', 6),
                                      locale.toString(histogram.maximum, 'g', 6)));
    range->setObjectName(QStringLiteral("channelRange"));
    layout->addWidget(range);
    layout->addWidget(histogramPlot(histogram, colour));
    layout->addWidget(normalisedPart(channel));
    return panel;
}

// The check box that picks the channel, and its histogram after normalisation (or why none).
QWidget* ChannelView::normalisedPart(int channel)
{
    auto* part = new QWidget;
    auto* layout = new QVBoxLayout(part);
    layout->setContentsMargins(0, 0, 0, 0);
    const int plane = m_preview.planeOf.value(channel, kChannelLeftOut);
    auto* seen = new QCheckBox(tr("The network sees this channel"));
    seen->setObjectName(QStringLiteral("channelPicked"));
    seen->setChecked(plane != kChannelLeftOut);
    seen->setToolTip(tr("Tick the channels the network learns from (the dataset's channels "
                        "setting); clearing one leaves it out of training and prediction."));
    connect(seen, &QCheckBox::toggled, this,
            [this, channel, seen](bool checked) { onChannelToggled(channel, checked, seen); });
    layout->addWidget(seen);
    if (!m_preview.normalisationError.isEmpty() && plane != kChannelLeftOut) {
        auto* why = new QLabel(m_preview.normalisationError);
        why->setWordWrap(true);
        layout->addWidget(why);
    } else if (plane >= 0 && !m_preview.normalised.value(channel).counts.isEmpty()) {
        const ChannelHistogram& after = m_preview.normalised[channel];
        const QLocale locale;
        auto* label = new QLabel(tr("After normalisation: %1 to %2")
                                     .arg(locale.toString(after.minimum, 'g', 3),
                                          locale.toString(after.maximum, 'g', 3)));
        label->setObjectName(QStringLiteral("normalisedRange"));
        label->setToolTip(tr("The values the network sees for this channel of the sample image, "
                             "after the brightness normalisation and the resize to the input "
                             "square."));
        layout->addWidget(label);
        QCustomPlot* plot =
            histogramPlot(after, channelColour(channel, int(m_preview.channels.size())));
        plot->setObjectName(QStringLiteral("normalisedHistogram"));
        plot->setToolTip(label->toolTip());
        layout->addWidget(plot);
    } else if (plane == kChannelMixed) {
        layout->addWidget(new QLabel(tr("Mixed into grey with the other colour channels.")));
    }
    return part;
}

void ChannelView::onChannelToggled(int channel, bool seen, QCheckBox* box)
{
    QVector<int> picked;
    for (int plane = 0; plane < m_preview.planeOf.size(); ++plane) {
        const int c = int(m_preview.planeOf.indexOf(plane));
        if (c >= 0) {
            picked << c;
        }
    }
    for (int c = 0; c < m_preview.planeOf.size(); ++c) {
        if (m_preview.planeOf[c] == kChannelMixed) {
            picked << c;
        }
    }
    picked.removeAll(channel);
    if (seen) {
        picked << channel;
    }
    if (picked.isEmpty()) {
        m_caption->setText(tr("The network needs at least one channel: tick another one first."));
        const QSignalBlocker blocker(box);
        box->setChecked(true);
        return;
    }
    m_picked = picked;
    Q_EMIT channelsPicked();
}

void ChannelView::setPreview(const ChannelPreview& preview)
{
    clearPanels();
    m_preview = preview;
    if (!preview.error.isEmpty()) {
        m_caption->setText(tr("%1: %2").arg(QFileInfo(preview.path).fileName(), preview.error));
        return;
    }
    if (preview.path.isEmpty()) {
        m_caption->setText(tr("Open a dataset to see the channels of its images."));
        return;
    }
    m_caption->setText(
        tr("%1: %2. Each channel is shown stretched between its 0.5th and 99.8th percentiles; "
           "the upper histograms show the stored values, the lower ones the values the network "
           "sees after normalisation.")
            .arg(QFileInfo(preview.path).fileName(), preview.description));
    m_grid->addWidget(compositePanel(), 0, 0);
    for (int c = 0; c < preview.channels.size(); ++c) {
        const int cell = c + 1;
        m_grid->addWidget(channelPanel(c), cell / kColumns, cell % kColumns);
        ++m_panels;
    }
}

} // namespace studio
