#include "imagegallery.h"

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

    m_loader = new QTimer(this);
    m_loader->setInterval(0);
    connect(m_loader, &QTimer::timeout, this, &ImageGallery::loadSome);
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

void ImageGallery::loadSome()
{
    for (int i = 0; i < 4 && m_loaded < m_list->count(); ++i, ++m_loaded) {
        QListWidgetItem* item = m_list->item(m_loaded);
        QImageReader reader(item->data(Qt::UserRole).toString());
        QImage image = reader.read();
        if (!image.isNull()) {
            image = image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio,
                                 image.width() < kThumbnail ? Qt::FastTransformation
                                                            : Qt::SmoothTransformation);
            item->setIcon(QIcon(QPixmap::fromImage(image)));
        }
    }
    if (m_loaded >= m_list->count()) {
        m_loader->stop();
    }
}

} // namespace studio
