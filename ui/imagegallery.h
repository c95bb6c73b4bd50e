// A window of image thumbnails with captions (the images of one confusion-matrix cell), read
// and scaled on a BackgroundRunner so that the window never stalls.
#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QListWidget;
class QTimer;

namespace studio {

class BackgroundRunner;

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

private:
    // Reads the images added since the last call, in the background.
    void loadNew();

    QListWidget* m_list = nullptr;
    QTimer* m_loader = nullptr; // gathers the images added in one go into one job
    BackgroundRunner* m_runner = nullptr;
    QStringList m_paths;
    int m_requested = 0; // images handed to the runner so far
    int m_thumbnails = 0;
};

} // namespace studio
