// The Evaluate page's map of what the network learned: every image of a split as a point placed
// by t-SNE or PCA of its penultimate-layer features (core/explain/embedding), coloured by its
// true class with the mistakes ringed. Hovering a point shows its image, a click opens it,
// Shift-drag draws a lasso whose images open in a gallery, and a confusion-matrix cell can
// single out its points. The map is made on a BackgroundRunner with progress and Cancel.
#pragma once

#include "dataset/datasetindex.h"
#include "explain/embedding.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QPolygon>
#include <QString>
#include <QWidget>

#include <functional>

class QComboBox;
class QCPCurve;
class QCPGraph;
class QCPLayoutGrid;
class QCustomPlot;
class QLabel;
class QEvent;
class QMouseEvent;
class QPushButton;

namespace studio {

class BackgroundRunner;
class ImageGallery;

// What a map is made of, and where a map made is kept.
struct MapSource
{
    QString modelPath; // empty: no map can be made, and `reason` says why
    QString datasetDir;
    Split split = Split::Test;   // scanned when `images` is empty; names the images either way
    QVector<DatasetItem> images; // the images to map (paths relative to datasetDir), if given
    QString keepFile;            // where a map made is written, and read back from; or empty
    QString reason;
};

class EmbeddingMapView : public QWidget
{
    Q_OBJECT

public:
    explicit EmbeddingMapView(QWidget* parent = nullptr);
    ~EmbeddingMapView() override;

    // Points the map at `source`. Clears the map shown, then shows the one kept in its keepFile
    // if that is newer than the model file.
    void setSource(const MapSource& source);
    QString keepFile() const { return m_source.keepFile; }
    QString modelPath() const { return m_source.modelPath; }

    void setMethod(EmbeddingMethod method);
    EmbeddingMethod method() const;
    // Makes the map in the background; mapFinished follows (also after cancel()).
    void makeMap();
    void cancel();
    bool isBusy() const { return m_request != 0; }

    // Shows `map` (what makeMap does with its result).
    void setMap(const EmbeddingMap& map);
    bool hasMap() const { return !m_map.points.isEmpty(); }
    const EmbeddingMap& map() const { return m_map; }

    // Rings the points of the images of true class `trueClass` taken for `predicted` (what
    // a click on a confusion-matrix cell does); -1, -1 rings none.
    void highlightCell(int trueClass, int predicted);
    QVector<int> highlightedPoints() const { return m_highlighted; }

    // The plot-widget position of point `index`, and the point within a few pixels of a
    // plot-widget position (-1 when none).
    QPoint pointPosition(int index) const;
    int pointAt(const QPoint& position) const;
    int hoveredPoint() const { return m_hovered; }
    // The picture the hover card shows (null until the image is read).
    QImage hoverImage() const { return m_hoverImage; }
    QString absolutePath(int index) const;

    // What a click on a point does with its image's path; by default the desktop opens it.
    void setImageOpener(std::function<void(const QString&)> opener);
    // Opens a gallery of the points inside `polygon` (plot-widget coordinates), what a
    // Shift-drag does; nullptr when none lies inside.
    ImageGallery* openLassoGallery(const QPolygon& polygon);

    QCustomPlot* plot() const { return m_plot; }
    QString statusText() const;
    bool savePng(const QString& path, int width = 0, int height = 0);

protected:
    // Hides the hover card when the pointer leaves the chart.
    bool eventFilter(QObject* watched, QEvent* event) override;

Q_SIGNALS:
    void mapFinished(bool ok, const QString& message);
    void pointClicked(int index);

private:
    QWidget* buildTools();
    void updateState();
    void showStatus(const QString& text, bool error);
    // Puts the legend beside the map, or takes it out so that the map uses its width.
    void showLegend(bool show);
    void drawPoints();
    // Rings the highlighted points and fades the others while there are any.
    void drawHighlight();
    void styleHighlight();
    // Draws every class's points and the mistakes' rings with `alpha` (255: opaque).
    void fadePoints(int alpha);
    void fitAxes();
    QString describeMap() const;
    // Shows the map kept in the source's keepFile when it is newer than the model file.
    void showKeptMap();
    void keepMap();
    void onMousePress(QMouseEvent* event);
    void onMouseMove(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    void hover(int index, const QPoint& position);
    void showHoverCard(const QPoint& position);
    void extendLasso(const QPoint& position);
    void finishLasso();

    MapSource m_source;
    EmbeddingMap m_map;
    BackgroundRunner* m_runner = nullptr;     // makes maps
    BackgroundRunner* m_thumbnails = nullptr; // reads the hovered image
    quint64 m_request = 0;                    // the map being made, 0 when none
    std::function<void(const QString&)> m_opener;

    QComboBox* m_methodChoice = nullptr;
    QPushButton* m_make = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPLayoutGrid* m_legendColumn = nullptr; // the legend above a spacer
    QVector<QCPGraph*> m_classGraphs;        // the points of each true class
    QCPGraph* m_mistakes = nullptr;
    QCPGraph* m_highlight = nullptr;
    QCPCurve* m_lassoCurve = nullptr;
    QWidget* m_hoverCard = nullptr;
    QLabel* m_hoverPicture = nullptr;
    QLabel* m_hoverCaption = nullptr;

    QVector<int> m_highlighted;
    int m_hovered = -1;
    QImage m_hoverImage;
    // The hover pictures already read, costed in bytes: 32 MiB holds about 500 of them.
    static constexpr qsizetype kHoverCacheBytes = 32 * 1024 * 1024;
    QCache<int, QImage> m_hoverCache{kHoverCacheBytes};
    QPoint m_pressPosition;
    bool m_pressed = false;
    bool m_lassoActive = false;
    QPolygon m_lasso;
};

} // namespace studio
