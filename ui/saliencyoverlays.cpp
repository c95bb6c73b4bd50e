#include "saliencyoverlays.h"

#include "backgroundrunner.h"

#include "explain/saliency.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>

#include <optional>

namespace studio {

// The explainer of the runner's thread, reloaded when the model changes.
struct ExplainerSlot
{
    QString modelPath;
    std::optional<SaliencyExplainer> explainer;
    QString error;
};

namespace {

// What the overlay shows: "Grad-CAM for circle (87.5 %)", and the fallback's reason.
QString captionOf(const SaliencyMap& map)
{
    const QString method = map.method == SaliencyMethod::GradCam
                               ? QCoreApplication::translate("SaliencyOverlays", "Grad-CAM")
                               : QCoreApplication::translate("SaliencyOverlays", "occlusion");
    QString caption = QCoreApplication::translate("SaliencyOverlays", "%1 for %2 (%3 %)")
                          .arg(method, map.className)
                          .arg(map.probability * 100, 0, 'f', 1);
    if (!map.note.isEmpty()) {
        caption += QLatin1Char('\n') + map.note;
    }
    return caption;
}

SaliencyOverlay explain(ExplainerSlot& slot, const QString& modelPath, const QString& path,
                        int classIndex)
{
    if (slot.modelPath != modelPath) {
        slot.modelPath = modelPath;
        slot.explainer.reset();
        slot.error.clear();
        // One thread: per-image maps are ~10x faster than with every core (measured).
        Result<SaliencyExplainer> loaded = SaliencyExplainer::load(modelPath, 1);
        if (loaded.ok()) {
            slot.explainer.emplace(std::move(loaded).value());
        } else {
            slot.error = loaded.error();
        }
    }
    SaliencyOverlay result;
    if (!slot.explainer) {
        result.error = slot.error;
        return result;
    }
    SaliencyOptions options;
    options.classIndex = classIndex;
    const SaliencyMap map = slot.explainer->explainFile(path, options);
    if (!map.ok()) {
        result.error = map.error;
        return result;
    }
    result.image = QImage::fromData(saliencyOverlayPng(map), "PNG");
    result.caption = captionOf(map);
    return result;
}

} // namespace

SaliencyOverlays::SaliencyOverlays(QObject* parent)
    : QObject(parent), m_slot(std::make_shared<ExplainerSlot>())
{
    m_runner = new BackgroundRunner(QStringLiteral("saliency"), this);
}

SaliencyOverlays::~SaliencyOverlays()
{
    delete m_runner; // cancels the maps and waits for the one being made
}

QString SaliencyOverlays::key(const QString& path, int classIndex)
{
    // The method is always Grad-CAM asked for (occlusion only as its fallback).
    return QStringLiteral("%1\n%2\ngradcam").arg(path).arg(classIndex);
}

void SaliencyOverlays::setModel(const QString& modelPath)
{
    if (modelPath == m_modelPath) {
        return;
    }
    m_runner->cancelAll();
    ++m_generation;
    m_modelPath = modelPath;
    m_cache.clear();
    m_queued.clear();
}

const SaliencyOverlay* SaliencyOverlays::overlay(const QString& path, int classIndex)
{
    const QString id = key(path, classIndex);
    if (const SaliencyOverlay* cached = m_cache.object(id)) {
        return cached;
    }
    if (m_modelPath.isEmpty() || m_queued.contains(id)) {
        return nullptr;
    }
    m_queued.insert(id);
    m_runner->run(
        [slot = m_slot, modelPath = m_modelPath, path, classIndex](const BackgroundJob&) {
            return explain(*slot, modelPath, path, classIndex);
        },
        [this, id, path, classIndex, generation = m_generation](const SaliencyOverlay& made) {
            if (generation != m_generation) {
                return; // made with a model no longer shown
            }
            m_queued.remove(id);
            m_cache.insert(id, new SaliencyOverlay(made),
                           qMax<qsizetype>(1, made.image.sizeInBytes() / 1024));
            Q_EMIT overlayReady(path, classIndex, made);
        });
    return nullptr;
}

void SaliencyOverlays::cancelPending()
{
    m_runner->cancelAll();
    m_queued.clear();
}

bool SaliencyOverlays::isBusy() const
{
    return m_runner->isBusy();
}

void SaliencyOverlays::waitForIdle()
{
    m_runner->waitForIdle();
}

SaliencyControls::SaliencyControls(QWidget* parent) : QWidget(parent)
{
    m_toggle = new QCheckBox(tr("Show where the model looked (Grad-CAM)"));
    m_toggle->setObjectName(QStringLiteral("saliencyToggle"));
    m_toggle->setToolTip(tr("Colours each image by how much each part of it raised the class's "
                            "score: red mattered most, blue least. Computed in the background."));
    m_class = new QComboBox;
    m_class->setObjectName(QStringLiteral("saliencyClass"));
    m_class->setToolTip(tr("The class whose score is explained."));
    m_class->addItem(tr("predicted class"), -1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_toggle);
    layout->addWidget(new QLabel(tr("for:")));
    layout->addWidget(m_class);
    layout->addStretch(1);
    m_class->setEnabled(false);
    connect(m_toggle, &QCheckBox::toggled, this, [this](bool on) {
        m_class->setEnabled(on);
        Q_EMIT changed();
    });
    connect(m_class, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT changed(); });
}

void SaliencyControls::setClasses(const QStringList& classes)
{
    const QString chosen = classIndex() >= 0 ? m_class->currentText() : QString();
    const QSignalBlocker blocker(m_class);
    while (m_class->count() > 1) {
        m_class->removeItem(1);
    }
    for (int i = 0; i < classes.size(); ++i) {
        m_class->addItem(classes[i], i);
    }
    const int kept = chosen.isEmpty() ? -1 : int(classes.indexOf(chosen));
    m_class->setCurrentIndex(kept + 1);
}

void SaliencyControls::setAvailable(bool available, const QString& reason)
{
    if (!available) {
        m_toggle->setChecked(false);
    }
    m_toggle->setEnabled(available);
    m_toggle->setToolTip(available ? tr("Colours each image by how much each part of it raised "
                                        "the class's score: red mattered most, blue least. "
                                        "Computed in the background.")
                                   : reason);
}

bool SaliencyControls::isShown() const
{
    return m_toggle->isChecked();
}

void SaliencyControls::setShown(bool shown)
{
    m_toggle->setChecked(shown);
}

int SaliencyControls::classIndex() const
{
    return m_class->currentData().toInt();
}

void SaliencyControls::setClassIndex(int classIndex)
{
    m_class->setCurrentIndex(qBound(0, classIndex + 1, m_class->count() - 1));
}

} // namespace studio
