#include "imagegallery.h"

#include "backgroundrunner.h"

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

namespace studio {

namespace {

constexpr int kThumbnail = 112;

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
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(720, 520);

    m_runner = new BackgroundRunner(QStringLiteral("gallery"), this);
    m_loader = new QTimer(this);
    m_loader->setSingleShot(true);
    m_loader->setInterval(0);
    connect(m_loader, &QTimer::timeout, this, &ImageGallery::loadNew);
}

ImageGallery::~ImageGallery()
{
    delete m_runner; // stops reading, and no thumbnail arrives for the items going away
}

void ImageGallery::addImage(const QString& path, const QString& caption)
{
    auto* item =
        new QListWidgetItem(caption + QLatin1Char('\n') + QFileInfo(path).fileName(), m_list);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    m_paths << path;
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
                        m_list->item(row)->setIcon(QIcon(QPixmap::fromImage(image)));
                        ++m_thumbnails;
                    }
                });
            }
        },
        [] {});
}

} // namespace studio
