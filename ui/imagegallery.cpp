#include "imagegallery.h"

#include "backgroundrunner.h"
#include "saliencyoverlays.h"

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QImageReader>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace studio {

namespace {

constexpr int kThumbnail = 112;

// `image` scaled down to fit a thumbnail (a null image stays null).
QImage fitThumbnail(const QImage& image)
{
    return image.width() > kThumbnail || image.height() > kThumbnail
               ? image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation)
               : image;
}

// Reads `path` scaled to fit a thumbnail; null when it cannot be read.
QImage readThumbnail(const QString& path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImage image = reader.read();
    if (!image.isNull()) {
        image = image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio,
                             image.width() < kThumbnail ? Qt::FastTransformation
                                                        : Qt::SmoothTransformation);
    }
    return image;
}

} // namespace

ImageGallery::ImageGallery(const QString& title, const QString& explanation, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("imageGallery"));
    auto* text = new QLabel(explanation);
    text->setWordWrap(true);
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("galleryList"));
    m_list->setViewMode(QListView::IconMode);
    m_list->setIconSize(QSize(kThumbnail, kThumbnail));
    m_list->setGridSize(QSize(kThumbnail + 40, kThumbnail + 48));
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setWordWrap(true);
    m_list->setToolTip(tr("Double-click an image to open it."));
    connect(m_list, &QListWidget::itemDoubleClicked, this, [](QListWidgetItem* item) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(item->data(Qt::UserRole).toString()));
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_saliency = new SaliencyControls;
    m_saliency->setAvailable(false, tr("No model file is known for these images."));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_saliency);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(720, 520);

    m_runner = new BackgroundRunner(QStringLiteral("gallery"), this);
    m_loader = new QTimer(this);
    m_loader->setSingleShot(true);
    m_loader->setInterval(0);
    connect(m_loader, &QTimer::timeout, this, &ImageGallery::loadNew);
    m_overlays = new SaliencyOverlays(this);
    connect(m_overlays, &SaliencyOverlays::overlayReady, this, &ImageGallery::onOverlayReady);
    connect(m_saliency, &SaliencyControls::changed, this, &ImageGallery::refreshOverlays);
}

ImageGallery::~ImageGallery()
{
    delete m_runner; // stops reading, and no thumbnail arrives for the items going away
    delete m_overlays;
}

void ImageGallery::setModel(const QString& modelPath, const QStringList& classes,
                            const QString& reason)
{
    m_overlays->setModel(modelPath);
    m_saliency->setClasses(classes);
    m_saliency->setAvailable(!modelPath.isEmpty(), reason);
    refreshOverlays();
}

QImage ImageGallery::shownImage(int row) const
{
    const QImage overlay = m_overlayImages.value(row);
    return overlay.isNull() ? m_thumbnailImages.value(row) : overlay;
}

int ImageGallery::overlayCount() const
{
    return int(std::count_if(m_overlayImages.cbegin(), m_overlayImages.cend(),
                             [](const QImage& image) { return !image.isNull(); }));
}

void ImageGallery::refreshOverlays()
{
    m_overlays->cancelPending();
    for (int row = 0; row < m_paths.size(); ++row) {
        m_overlayImages[row] = QImage();
        m_list->item(row)->setToolTip(m_paths[row]);
        if (m_saliency->isShown()) {
            requestRow(row);
        }
        showRow(row);
    }
}

void ImageGallery::requestRow(int row)
{
    if (const SaliencyOverlay* overlay =
            m_overlays->overlay(m_paths[row], m_saliency->classIndex())) {
        m_overlayImages[row] = fitThumbnail(overlay->image);
        m_list->item(row)->setToolTip(overlay->image.isNull() ? overlay->error : overlay->caption);
    }
}

void ImageGallery::showRow(int row)
{
    const QImage image = shownImage(row);
    if (image.isNull()) {
        m_list->item(row)->setIcon(QIcon());
        return;
    }
    m_list->item(row)->setIcon(QIcon(QPixmap::fromImage(image)));
}

void ImageGallery::onOverlayReady(const QString& path, int classIndex,
                                  const SaliencyOverlay& overlay)
{
    if (!m_saliency->isShown() || classIndex != m_saliency->classIndex()) {
        return; // asked for before the toggle or the class changed
    }
    for (int row = 0; row < m_paths.size(); ++row) {
        if (m_paths[row] == path) {
            m_overlayImages[row] = fitThumbnail(overlay.image);
            m_list->item(row)->setToolTip(overlay.image.isNull() ? overlay.error : overlay.caption);
            showRow(row);
        }
    }
}

void ImageGallery::addImage(const QString& path, const QString& caption)
{
    auto* item =
        new QListWidgetItem(caption + QLatin1Char('\n') + QFileInfo(path).fileName(), m_list);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    m_paths << path;
    m_thumbnailImages.append(QImage());
    m_overlayImages.append(QImage());
    if (m_saliency->isShown()) {
        requestRow(int(m_paths.size()) - 1);
    }
    m_loader->start();
}

int ImageGallery::imageCount() const
{
    return m_list->count();
}

int ImageGallery::thumbnailCount() const
{
    return m_thumbnails;
}

void ImageGallery::loadNew()
{
    const int first = m_requested;
    const QStringList paths = m_paths.mid(first);
    m_requested = m_paths.size();
    m_runner->run(
        [this, first, paths](const BackgroundJob& job) {
            for (int i = 0; i < paths.size() && !job.cancelled(); ++i) {
                const QImage image = readThumbnail(paths[i]);
                job.post([this, row = first + i, image] {
                    if (!image.isNull()) {
                        m_thumbnailImages[row] = image;
                        showRow(row);
                        ++m_thumbnails;
                    }
                });
            }
        },
        [] {});
}

} // namespace studio
