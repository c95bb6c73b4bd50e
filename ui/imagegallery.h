// A window of image thumbnails with captions (the images of one confusion-matrix cell), read
// and scaled on a BackgroundRunner so that the window never stalls.
#pragma once

#include <QDialog>
#include <QImage>
#include <QStringList>
#include <QVector>

class QLabel;
class QListWidget;
class QTimer;

namespace studio {

class BackgroundRunner;
class SaliencyControls;
class SaliencyOverlays;
struct SaliencyOverlay;

class ImageGallery : public QDialog
{
    Q_OBJECT

public:
    ImageGallery(const QString& title, const QString& explanation, QWidget* parent = nullptr);
    ~ImageGallery() override;

    // Adds an image; its thumbnail appears shortly after.
    void addImage(const QString& path, const QString& caption);
    int imageCount() const;
    // Thumbnails shown so far (an image that cannot be read gets none).
    int thumbnailCount() const;
    QStringList paths() const { return m_paths; }

    // The model file whose saliency maps the toggle overlays on the thumbnails, and its
    // classes; an empty path disables the toggle, saying why (`reason`).
    void setModel(const QString& modelPath, const QStringList& classes,
                  const QString& reason = QString());
    SaliencyControls* saliencyControls() const { return m_saliency; }
    SaliencyOverlays* saliencyOverlays() const { return m_overlays; }
    // The icon's picture of image `row`: its thumbnail, or its overlay (scaled to a thumbnail)
    // while they are shown.
    QImage shownImage(int row) const;
    // Overlays shown so far for the current class.
    int overlayCount() const;

private:
    // Reads the images added since the last call, in the background.
    void loadNew();
    void refreshOverlays();
    void requestRow(int row);
    void showRow(int row);
    void onOverlayReady(const QString& path, int classIndex, const SaliencyOverlay& overlay);

    QListWidget* m_list = nullptr;
    QTimer* m_loader = nullptr; // gathers the images added in one go into one job
    BackgroundRunner* m_runner = nullptr;
    QStringList m_paths;
    int m_requested = 0; // images handed to the runner so far
    int m_thumbnails = 0;
    QVector<QImage> m_thumbnailImages; // per row, null until read
    QVector<QImage> m_overlayImages;   // per row, thumbnail-sized, null unless shown
    SaliencyOverlays* m_overlays = nullptr;
    SaliencyControls* m_saliency = nullptr;
};

} // namespace studio
