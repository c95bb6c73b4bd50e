// Saliency overlays in the UI: SaliencyOverlays computes "where the model looked" (Grad-CAM,
// or occlusion when the model has no convolution) for image files on its own BackgroundRunner,
// caches them per image, class and method, and drops the results of a model or class no longer
// shown; SaliencyControls is the toggle and class choice that pages put above their images.
#pragma once

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;

namespace studio {

class BackgroundRunner;
struct ExplainerSlot;

// One computed overlay: the picture (saliencyOverlayPng) and what it shows, in words.
struct SaliencyOverlay
{
    QImage image; // null when the map could not be made (see error)
    QString caption;
    QString error;
};

// Overlays of one model file, computed in the background with one LibTorch thread.
class SaliencyOverlays : public QObject
{
    Q_OBJECT

public:
    explicit SaliencyOverlays(QObject* parent = nullptr);
    ~SaliencyOverlays() override;

    // The model to explain; cancels the pending maps and forgets the cached ones.
    void setModel(const QString& modelPath);
    QString modelPath() const { return m_modelPath; }
    // The overlay of `path` for classIndex (-1: the predicted class) when it is cached (valid
    // until the next overlayReady); otherwise queues it (once) and returns nullptr:
    // overlayReady follows. The cache keeps the most recent overlays, up to 128 MiB.
    const SaliencyOverlay* overlay(const QString& path, int classIndex);
    // Drops the maps queued so far (the class or the images shown changed).
    void cancelPending();
    bool isBusy() const;
    void waitForIdle();

Q_SIGNALS:
    void overlayReady(const QString& path, int classIndex, const studio::SaliencyOverlay& overlay);

private:
    static QString key(const QString& path, int classIndex);

    BackgroundRunner* m_runner = nullptr;
    std::shared_ptr<ExplainerSlot> m_slot; // used by the runner's jobs only
    QString m_modelPath;
    quint64 m_generation = 0; // bumped by setModel: older results are dropped
    QCache<QString, SaliencyOverlay> m_cache{128 * 1024}; // cost: KiB
    QSet<QString> m_queued;
};

// "Show where the model looked (Grad-CAM)" and "for: predicted class / <class>".
class SaliencyControls : public QWidget
{
    Q_OBJECT

public:
    explicit SaliencyControls(QWidget* parent = nullptr);

    // The classes offered besides the predicted one; keeps the choice when it still exists.
    void setClasses(const QStringList& classes);
    // Disables the toggle (unchecking it) with `reason` as its tooltip, or enables it.
    void setAvailable(bool available, const QString& reason = QString());
    bool isShown() const;
    void setShown(bool shown);
    // -1: the predicted class.
    int classIndex() const;
    void setClassIndex(int classIndex);

Q_SIGNALS:
    // The toggle or the class changed.
    void changed();

private:
    QCheckBox* m_toggle = nullptr;
    QComboBox* m_class = nullptr;
};

} // namespace studio
