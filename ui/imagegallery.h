// A window of image thumbnails with captions (the images of one confusion-matrix cell), loaded
// a few at a time so that the window never stalls.
#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QListWidget;
class QTimer;

namespace studio {

class ImageGallery : public QDialog
{
    Q_OBJECT

public:
    ImageGallery(const QString& title, const QString& explanation, QWidget* parent = nullptr);

    // Adds an image; its thumbnail appears shortly after.
    void addImage(const QString& path, const QString& caption);
    int imageCount() const;
    QStringList paths() const { return m_paths; }

private:
    void loadSome();

    QListWidget* m_list = nullptr;
    QTimer* m_loader = nullptr;
    QStringList m_paths;
    int m_loaded = 0;
};

} // namespace studio
