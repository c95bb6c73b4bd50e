#include "embeddingmapview.h"

#include "backgroundrunner.h"
#include "channelcomposite.h"
#include "explain/embeddingfile.h"
#include "imagegallery.h"
#include "qcustomplotwrapper.h"
#include "reportcharts.h"
#include "theme.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace studio {

namespace {

constexpr int kHoverSide = 128;   // the hover card's picture, in pixels
constexpr int kPickRadius = 8;    // how near the pointer a point must be to be picked
constexpr int kClickSlack = 4;    // a press and release this close together are a click
constexpr double kPointSize = 5;  // a point's disc
constexpr double kRingSize = 10;  // the ring around a mistake
constexpr double kHighlight = 14; // the ring around a highlighted point

QString count(int n)
{
    return QLocale().toString(n);
}

} // namespace

EmbeddingMapView::EmbeddingMapView(QWidget* parent)
    : QWidget(parent), m_runner(new BackgroundRunner(QStringLiteral("embedding"), this)),
      m_thumbnails(new BackgroundRunner(QStringLiteral("map thumbnails"), this))
{
    m_opener = [](const QString& path) { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); };
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("embeddingPlot"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setTickLabels(false);
    m_plot->yAxis->setTickLabels(false);
    m_plot->legend->setFont(font());
    // The legend beside the map, where it hides no point.
    m_legendColumn = new QCPLayoutGrid;
    m_legendColumn->addElement(0, 0, m_plot->legend);
    m_legendColumn->addElement(1, 0, new QCPLayoutElement(m_plot)); // keeps the legend on top
    m_legendColumn->setRowStretchFactor(0, 0.001);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    followPalette(m_plot);
    connect(m_plot, &QCustomPlot::mousePress, this, &EmbeddingMapView::onMousePress);
    connect(m_plot, &QCustomPlot::mouseMove, this, &EmbeddingMapView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &EmbeddingMapView::onMouseRelease);

    m_hoverCard = new QWidget(this, Qt::ToolTip);
    m_hoverCard->setObjectName(QStringLiteral("mapHoverCard"));
    m_hoverPicture = new QLabel;
    m_hoverPicture->setFixedSize(kHoverSide, kHoverSide);
    m_hoverPicture->setAlignment(Qt::AlignCenter);
    m_hoverCaption = new QLabel;
    auto* card = new QVBoxLayout(m_hoverCard);
    card->setContentsMargins(4, 4, 4, 4);
    card->addWidget(m_hoverPicture);
    card->addWidget(m_hoverCaption);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildTools());
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_status);
    setMinimumSize(300, 260);
    setSource(MapSource());
}

EmbeddingMapView::~EmbeddingMapView()
{
    delete m_runner; // cancels the map being made and waits for it, before the widgets go
    delete m_thumbnails;
    if (m_legendColumn->layout() == nullptr) {
        delete m_legendColumn; // out of the plot's layout, so not the plot's to delete
    }
}

void EmbeddingMapView::showLegend(bool show)
{
    QCPLayoutGrid* layout = m_plot->plotLayout();
    m_plot->legend->setVisible(show);
    if (show && m_legendColumn->layout() == nullptr) {
        layout->addElement(0, 1, m_legendColumn);
        layout->setColumnStretchFactor(1, 0.001);
    } else if (!show && m_legendColumn->layout() != nullptr) {
        layout->take(m_legendColumn);
        layout->simplify(); // an empty column would still take the legend's width
    }
}

QWidget* EmbeddingMapView::buildTools()
{
    m_methodChoice = new QComboBox;
    m_methodChoice->setObjectName(QStringLiteral("mapMethod"));
    m_methodChoice->addItem(tr("t-SNE: neighbours stay together (a sample of 3,000)"),
                            int(EmbeddingMethod::Tsne));
    m_methodChoice->addItem(tr("PCA: the two main directions (every image, fast)"),
                            int(EmbeddingMethod::Pca));
    m_methodChoice->setToolTip(
        tr("t-SNE keeps images the network finds alike next to each other, but distances "
           "between far groups mean little. PCA keeps distances but can overlap groups."));
    m_make = new QPushButton(tr("Make Map"));
    m_make->setObjectName(QStringLiteral("makeMap"));
    m_make->setToolTip(tr("Read what the network sees in each image (the input of its last "
                          "Dense layer) and place alike images near each other."));
    connect(m_make, &QPushButton::clicked, this, &EmbeddingMapView::makeMap);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelMap"));
    connect(m_cancel, &QPushButton::clicked, this, &EmbeddingMapView::cancel);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("mapStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* tools = new QWidget;
    auto* row = new QHBoxLayout(tools);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_methodChoice);
    row->addWidget(m_make);
    row->addWidget(m_cancel);
    row->addStretch(1);
    return tools;
}

void EmbeddingMapView::setSource(const MapSource& source)
{
    cancel();
    m_source = source;
    setMap(EmbeddingMap());
    m_make->setToolTip(source.modelPath.isEmpty() ? source.reason : QString());
    showStatus(source.modelPath.isEmpty()
                   ? source.reason
                   : tr("Make Map places the %1 images by what the network sees in them.")
                         .arg(splitName(source.split)),
               false);
    showKeptMap();
    updateState();
}

void EmbeddingMapView::showKeptMap()
{
    const QFileInfo kept(m_source.keepFile);
    if (m_source.modelPath.isEmpty() || m_source.keepFile.isEmpty() || !kept.exists() ||
        kept.lastModified() < QFileInfo(m_source.modelPath).lastModified()) {
        return;
    }
    const Result<EmbeddingMap> map = loadEmbeddingMap(m_source.keepFile);
    if (!map) {
        showStatus(map.error(), true);
        return;
    }
    setMethod(map->method);
    setMap(*map);
    showStatus(tr("%1 Made earlier and kept in %2; Make Map makes it again.")
                   .arg(describeMap(), QDir::toNativeSeparators(m_source.keepFile)),
               false);
}

void EmbeddingMapView::keepMap()
{
    if (m_source.keepFile.isEmpty()) {
        return;
    }
    const Status kept = saveEmbeddingMap(m_map, m_source.keepFile);
    if (!kept) {
        showStatus(tr("%1 It could not be kept: %2").arg(describeMap(), kept.error()), true);
    }
}

void EmbeddingMapView::setMethod(EmbeddingMethod method)
{
    m_methodChoice->setCurrentIndex(m_methodChoice->findData(int(method)));
}

EmbeddingMethod EmbeddingMapView::method() const
{
    return EmbeddingMethod(m_methodChoice->currentData().toInt());
}

void EmbeddingMapView::updateState()
{
    m_make->setEnabled(!m_source.modelPath.isEmpty() && !isBusy());
    m_methodChoice->setEnabled(!isBusy());
    m_cancel->setVisible(isBusy());
}

void EmbeddingMapView::showStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

QString EmbeddingMapView::statusText() const
{
    return m_status->text();
}

void EmbeddingMapView::makeMap()
{
    if (m_source.modelPath.isEmpty() || isBusy()) {
        return;
    }
    EmbeddingOptions options;
    options.split = m_source.split;
    options.method = method();
    showStatus(tr("Loading %1...").arg(QFileInfo(m_source.modelPath).fileName()), false);
    m_request = m_runner->run(
        [source = m_source, options, this](const BackgroundJob& job) {
            EmbeddingOptions cancellable = options;
            cancellable.cancel = job.cancelFlag();
            cancellable.progress = [&job, this](const QString& stage) {
                job.post([this, stage] { showStatus(stage + QStringLiteral("..."), false); });
            };
            return source.images.isEmpty()
                       ? makeEmbeddingMap(source.modelPath, source.datasetDir, cancellable)
                       : makeEmbeddingMapOfImages(source.modelPath, source.datasetDir,
                                                  source.images, cancellable);
        },
        [this](const Result<EmbeddingMap>& result) {
            m_request = 0;
            if (result.ok()) {
                setMap(*result);
                keepMap();
            } else {
                showStatus(result.error(), true);
            }
            updateState();
            Q_EMIT mapFinished(result.ok(), result.ok() ? QString() : result.error());
        });
    updateState();
}

void EmbeddingMapView::cancel()
{
    if (!isBusy()) {
        return;
    }
    m_runner->cancel(m_request);
    m_request = 0;
    const QString message = tr("Map cancelled.");
    showStatus(message, false);
    updateState();
    Q_EMIT mapFinished(false, message);
}

void EmbeddingMapView::setMap(const EmbeddingMap& map)
{
    m_map = map;
    m_highlighted.clear();
    m_hoverCache.clear();
    m_hovered = -1;
    m_hoverCard->hide();
    drawPoints();
    fitAxes();
    showLegend(hasMap());
    drawHighlight();
    if (hasMap()) {
        showStatus(describeMap(), false);
    }
}

void EmbeddingMapView::drawPoints()
{
    m_plot->clearPlottables();
    m_classGraphs.clear();
    m_lassoCurve = nullptr;
    QVector<QVector<double>> xs(m_map.classes.size());
    QVector<QVector<double>> ys(m_map.classes.size());
    QVector<double> mistakeX;
    QVector<double> mistakeY;
    for (const EmbeddingPoint& p : std::as_const(m_map.points)) {
        if (!p.inSample || p.trueClass < 0 || p.trueClass >= xs.size()) {
            continue;
        }
        xs[p.trueClass] << p.x;
        ys[p.trueClass] << p.y;
        if (p.mistake()) {
            mistakeX << p.x;
            mistakeY << p.y;
        }
    }
    for (int c = 0; c < xs.size(); ++c) {
        QCPGraph* graph = m_plot->addGraph();
        m_classGraphs << graph;
        graph->setName(m_map.classes[c]);
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setData(xs[c], ys[c]);
    }
    m_mistakes = m_plot->addGraph();
    m_mistakes->setName(tr("mistake (ringed)"));
    m_mistakes->setLineStyle(QCPGraph::lsNone);
    // The points' and rings' styles are set by drawHighlight().
    m_mistakes->setData(mistakeX, mistakeY);
    m_highlight = m_plot->addGraph();
    m_highlight->setName(tr("selected"));
    m_highlight->setLineStyle(QCPGraph::lsNone);
    m_highlight->removeFromLegend();
}

void EmbeddingMapView::fitAxes()
{
    double left = std::numeric_limits<double>::max();
    double right = -left;
    double bottom = left;
    double top = -left;
    for (const EmbeddingPoint& p : std::as_const(m_map.points)) {
        if (p.inSample) {
            left = std::min(left, p.x);
            right = std::max(right, p.x);
            bottom = std::min(bottom, p.y);
            top = std::max(top, p.y);
        }
    }
    if (left > right) {
        left = bottom = 0;
        right = top = 1;
    }
    const double marginX = std::max(1e-9, (right - left) * 0.05);
    const double marginY = std::max(1e-9, (top - bottom) * 0.05);
    m_plot->xAxis->setRange(left - marginX, right + marginX);
    m_plot->yAxis->setRange(bottom - marginY, top + marginY);
}

QString EmbeddingMapView::describeMap() const
{
    int shown = 0;
    int mistakes = 0;
    for (const EmbeddingPoint& p : m_map.points) {
        shown += p.inSample ? 1 : 0;
        mistakes += p.inSample && p.mistake() ? 1 : 0;
    }
    const QString split = splitName(m_source.split);
    const bool all = shown == m_map.points.size();
    QString how = tr("PCA of all %1 %2 images").arg(count(shown), split);
    if (m_map.method == EmbeddingMethod::Tsne) {
        how = all ? tr("t-SNE of all %1 %2 images").arg(count(shown), split)
                  : tr("t-SNE of %1 of the %2 %3 images (a random sample)")
                        .arg(count(shown), count(int(m_map.points.size())), split);
    }
    return tr("%1, from the %2 values the network reads at the %3; %4 mistakes ringed. Images "
              "the network finds alike lie close together. Hover a point to see its image, click "
              "to open it, Shift-drag to draw a lasso around images to list them; click a cell of "
              "the confusion matrix to ring its images here.")
        .arg(how, count(m_map.featureDimension), m_map.featureLayer, count(mistakes));
}

void EmbeddingMapView::highlightCell(int trueClass, int predicted)
{
    m_highlighted.clear();
    for (int i = 0; i < m_map.points.size(); ++i) {
        const EmbeddingPoint& p = m_map.points[i];
        if (p.inSample && p.trueClass == trueClass && p.predicted == predicted) {
            m_highlighted << i;
        }
    }
    drawHighlight();
    if (!hasMap()) {
        return;
    }
    const QString trueName = m_map.classes.value(trueClass);
    const QString cell =
        trueClass == predicted
            ? tr("%1 %2 images answered right").arg(count(int(m_highlighted.size())), trueName)
            : tr("%1 %2 images taken for %3")
                  .arg(count(int(m_highlighted.size())), trueName, m_map.classes.value(predicted));
    showStatus(
        trueClass < 0
            ? describeMap()
            : tr("Singled out: %1 (click empty ground to show all). %2").arg(cell, describeMap()),
        false);
}

void EmbeddingMapView::drawHighlight()
{
    if (m_highlight) {
        QVector<double> x;
        QVector<double> y;
        for (int i : std::as_const(m_highlighted)) {
            x << m_map.points[i].x;
            y << m_map.points[i].y;
        }
        m_highlight->setData(x, y);
        styleHighlight();
    }
    fadePoints(m_highlighted.isEmpty() ? 255 : 60);
    m_plot->replot();
}

void EmbeddingMapView::styleHighlight()
{
    // Filled with their class's colour when they are all of one class (a matrix cell).
    const int first = m_highlighted.isEmpty() ? -1 : m_map.points[m_highlighted[0]].trueClass;
    bool oneClass = first >= 0;
    for (int i : std::as_const(m_highlighted)) {
        oneClass = oneClass && m_map.points[i].trueClass == first;
    }
    m_highlight->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette().color(QPalette::Text), 2.2),
                        oneClass ? QBrush(seriesColor(first)) : QBrush(Qt::NoBrush), kHighlight));
}

void EmbeddingMapView::fadePoints(int alpha)
{
    for (int c = 0; c < m_classGraphs.size(); ++c) {
        QColor color = seriesColor(c);
        color.setAlpha(alpha);
        m_classGraphs[c]->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, kPointSize));
    }
    if (m_mistakes) {
        QColor ring = palette().color(QPalette::Text);
        ring.setAlpha(alpha);
        m_mistakes->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(ring, 1.2), Qt::NoBrush, kRingSize));
    }
}

QPoint EmbeddingMapView::pointPosition(int index) const
{
    const EmbeddingPoint& p = m_map.points.at(index);
    return QPoint(qRound(m_plot->xAxis->coordToPixel(p.x)),
                  qRound(m_plot->yAxis->coordToPixel(p.y)));
}

int EmbeddingMapView::pointAt(const QPoint& position) const
{
    int nearest = -1;
    double best = double(kPickRadius * kPickRadius) + 0.5;
    for (int i = 0; i < m_map.points.size(); ++i) {
        if (!m_map.points[i].inSample) {
            continue;
        }
        const QPointF d = QPointF(m_plot->xAxis->coordToPixel(m_map.points[i].x),
                                  m_plot->yAxis->coordToPixel(m_map.points[i].y)) -
                          QPointF(position);
        const double squared = d.x() * d.x() + d.y() * d.y();
        if (squared < best) {
            best = squared;
            nearest = i;
        }
    }
    return nearest;
}

QString EmbeddingMapView::absolutePath(int index) const
{
    const QString path = m_map.points.value(index).path;
    return QFileInfo(path).isRelative() ? QDir(m_map.datasetRoot).filePath(path) : path;
}

void EmbeddingMapView::setImageOpener(std::function<void(const QString&)> opener)
{
    m_opener = std::move(opener);
}

void EmbeddingMapView::onMousePress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !hasMap()) {
        return;
    }
    m_pressed = true;
    m_pressPosition = event->position().toPoint();
    m_lassoActive = event->modifiers().testFlag(Qt::ShiftModifier);
    // The axis rect reads the interactions after this signal: no panning while drawing.
    m_plot->setInteraction(QCP::iRangeDrag, !m_lassoActive);
    if (m_lassoActive) {
        m_lasso = QPolygon({m_pressPosition});
        m_hoverCard->hide();
    }
}

void EmbeddingMapView::onMouseMove(QMouseEvent* event)
{
    const QPoint position = event->position().toPoint();
    if (m_pressed && m_lassoActive) {
        extendLasso(position);
    } else if (!m_pressed) {
        hover(pointAt(position), position);
    }
}

void EmbeddingMapView::onMouseRelease(QMouseEvent* event)
{
    if (!m_pressed || event->button() != Qt::LeftButton) {
        return;
    }
    m_pressed = false;
    m_plot->setInteraction(QCP::iRangeDrag, true);
    const QPoint position = event->position().toPoint();
    if (m_lassoActive) {
        m_lassoActive = false;
        extendLasso(position);
        finishLasso();
        return;
    }
    if ((position - m_pressPosition).manhattanLength() > kClickSlack) {
        return; // the map was dragged
    }
    const int index = pointAt(position);
    if (index >= 0) {
        Q_EMIT pointClicked(index);
        if (m_opener) {
            m_opener(absolutePath(index));
        }
    } else if (!m_highlighted.isEmpty()) {
        highlightCell(-1, -1); // a click on empty ground shows every point again
    }
}

bool EmbeddingMapView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_plot && event->type() == QEvent::Leave) {
        hover(-1, QPoint());
    }
    return QWidget::eventFilter(watched, event);
}

void EmbeddingMapView::hover(int index, const QPoint& position)
{
    if (index == m_hovered) {
        return;
    }
    m_hovered = index;
    if (index < 0) {
        m_hoverCard->hide();
        return;
    }
    const EmbeddingPoint& p = m_map.points[index];
    QString caption =
        tr("%1\ntrue %2").arg(QFileInfo(p.path).fileName(), m_map.classes.value(p.trueClass));
    caption += p.mistake() ? tr(", taken for %1 (%2 %)")
                                 .arg(m_map.classes.value(p.predicted))
                                 .arg(p.confidence * 100, 0, 'f', 1)
                           : tr(", right (%1 %)").arg(p.confidence * 100, 0, 'f', 1);
    m_hoverCaption->setText(caption);
    if (const QImage* cached = m_hoverCache.object(index)) {
        m_hoverImage = *cached;
    } else {
        m_hoverImage = QImage();
        const QString path = absolutePath(index);
        m_thumbnails->cancelAll(); // only the image under the pointer matters
        m_thumbnails->run(
            [path](const BackgroundJob&) { return thumbnailOfFile(path, kHoverSide); },
            [this, index, position](const QImage& image) {
                m_hoverCache.insert(index, new QImage(image),
                                    std::max<qsizetype>(1, image.sizeInBytes()));
                if (m_hovered == index) {
                    m_hoverImage = image;
                    showHoverCard(position);
                }
            });
    }
    showHoverCard(position);
}

void EmbeddingMapView::showHoverCard(const QPoint& position)
{
    if (m_hoverImage.isNull()) {
        m_hoverPicture->setText(tr("reading..."));
    } else {
        m_hoverPicture->setPixmap(QPixmap::fromImage(m_hoverImage));
    }
    m_hoverCard->adjustSize();
    m_hoverCard->move(m_plot->mapToGlobal(position + QPoint(16, 16)));
    m_hoverCard->show();
}

void EmbeddingMapView::extendLasso(const QPoint& position)
{
    if (m_lasso.isEmpty() || (position - m_lasso.last()).manhattanLength() >= 3) {
        m_lasso << position;
    }
    if (!m_lassoCurve) {
        m_lassoCurve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        m_lassoCurve->setPen(QPen(palette().color(QPalette::Text), 1.2, Qt::DashLine));
        m_lassoCurve->removeFromLegend();
    }
    QVector<double> x;
    QVector<double> y;
    for (const QPoint& corner : std::as_const(m_lasso)) {
        x << m_plot->xAxis->pixelToCoord(corner.x());
        y << m_plot->yAxis->pixelToCoord(corner.y());
    }
    x << x.first();
    y << y.first();
    m_lassoCurve->setData(x, y);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void EmbeddingMapView::finishLasso()
{
    const QPolygon polygon = m_lasso;
    m_lasso.clear();
    if (m_lassoCurve) {
        m_plot->removePlottable(m_lassoCurve);
        m_lassoCurve = nullptr;
    }
    m_plot->replot();
    if (polygon.size() >= 3) {
        openLassoGallery(polygon);
    }
}

ImageGallery* EmbeddingMapView::openLassoGallery(const QPolygon& polygon)
{
    QVector<int> inside;
    for (int i = 0; i < m_map.points.size(); ++i) {
        if (m_map.points[i].inSample && polygon.containsPoint(pointPosition(i), Qt::OddEvenFill)) {
            inside << i;
        }
    }
    m_highlighted = inside;
    drawHighlight();
    if (inside.isEmpty()) {
        return nullptr;
    }
    showStatus(tr("Singled out: the %1 images inside the lasso (click empty ground to show all). "
                  "%2")
                   .arg(count(int(inside.size())), describeMap()),
               false);
    auto* gallery = new ImageGallery(
        tr("%1 images from the map").arg(count(int(inside.size()))),
        tr("The images inside the lasso: the network finds them alike. Each caption says its "
           "true class and, for a mistake, what the model took it for. Double-click one to "
           "open it."),
        this);
    gallery->setAttribute(Qt::WA_DeleteOnClose);
    for (int i : std::as_const(inside)) {
        const EmbeddingPoint& p = m_map.points[i];
        const QString caption = p.mistake() ? tr("%1 → %2").arg(m_map.classes.value(p.trueClass),
                                                                m_map.classes.value(p.predicted))
                                            : m_map.classes.value(p.trueClass);
        gallery->addImage(absolutePath(i), caption);
    }
    gallery->setModel(m_source.modelPath, m_map.classes);
    gallery->show();
    return gallery;
}

bool EmbeddingMapView::savePng(const QString& path, int width, int height)
{
    return m_plot->savePng(path, width, height);
}

} // namespace studio
