#include "projectdocument.h"

#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

namespace studio {

// One undoable replacement of the document's project; merges edits that share a merge key.
class SetProjectCommand : public QUndoCommand
{
public:
    SetProjectCommand(ProjectDocument* document, Project before, Project after, const QString& text,
                      const QString& mergeKey)
        : QUndoCommand(text), m_document(document), m_before(std::move(before)),
          m_after(std::move(after)), m_mergeKey(mergeKey)
    {}

    void undo() override { m_document->applyProject(m_before); }
    void redo() override { m_document->applyProject(m_after); }
    int id() const override { return m_mergeKey.isEmpty() ? -1 : 1; }

    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const SetProjectCommand*>(other);
        if (next->m_mergeKey != m_mergeKey) {
            return false;
        }
        m_after = next->m_after;
        setObsolete(sameProject(m_before, m_after));
        return true;
    }

private:
    ProjectDocument* m_document;
    Project m_before;
    Project m_after;
    QString m_mergeKey;
};

ProjectDocument::ProjectDocument(QObject* parent)
    : QObject(parent), m_project(defaultProject()), m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    updateSummary();
}

ProjectDocument::~ProjectDocument() = default;

QString ProjectDocument::displayName() const
{
    if (m_filePath.isEmpty()) {
        return tr("Untitled");
    }
    const QFileInfo info(m_filePath);
    return info.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0
               ? info.completeBaseName()
               : info.fileName();
}

bool ProjectDocument::isModified() const
{
    return !m_undoStack->isClean();
}

void ProjectDocument::setProject(const Project& project, const QString& text,
                                 const QString& mergeKey)
{
    if (sameProject(project, m_project)) {
        return;
    }
    m_undoStack->push(new SetProjectCommand(this, m_project, project,
                                            text.isEmpty() ? tr("Edit project") : text, mergeKey));
}

void ProjectDocument::setDataset(const DatasetSettings& dataset, const QString& text,
                                 const QString& mergeKey)
{
    Project next = m_project;
    next.dataset = dataset;
    setProject(next, text.isEmpty() ? tr("Change dataset settings") : text, mergeKey);
}

void ProjectDocument::setAugmentation(const AugmentationSettings& augmentation, const QString& text,
                                      const QString& mergeKey)
{
    Project next = m_project;
    next.augmentation = augmentation;
    setProject(next, text.isEmpty() ? tr("Change augmentation") : text, mergeKey);
}

void ProjectDocument::setModel(const ModelSpec& model, const QString& text, const QString& mergeKey)
{
    Project next = m_project;
    next.model = model;
    setProject(next, text.isEmpty() ? tr("Edit layers") : text, mergeKey);
}

void ProjectDocument::setTraining(const TrainingSettings& training, const QString& text,
                                  const QString& mergeKey)
{
    Project next = m_project;
    next.training = training;
    setProject(next, text.isEmpty() ? tr("Change training settings") : text, mergeKey);
}

void ProjectDocument::newProject()
{
    m_loadWarnings.clear();
    resetTo(defaultProject(), QString());
}

Status ProjectDocument::open(const QString& path)
{
    Result<LoadedProject> loaded = loadProject(path);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    m_loadWarnings = loaded->warnings;
    resetTo(loaded->project, QFileInfo(path).absoluteFilePath());
    return {};
}

Status ProjectDocument::save()
{
    if (m_filePath.isEmpty()) {
        return Failure{tr("The project has no file yet. Use Save As to choose one.")};
    }
    return saveAs(m_filePath);
}

Status ProjectDocument::saveAs(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    Status status = saveProject(absolute, m_project);
    if (!status) {
        return status;
    }
    setFilePath(absolute);
    m_undoStack->setClean();
    return status;
}

void ProjectDocument::setDatasetIndex(const DatasetIndex& index)
{
    m_index = index;
    m_hasIndex = true;
    Q_EMIT datasetIndexChanged();
    updateSummary();
    sizeOutputLayerToClasses();
}

void ProjectDocument::sizeOutputLayerToClasses()
{
    const int classes = int(m_index.classes.size());
    const int output = outputDenseLayer(m_project.model);
    if (classes < 2 || output < 0 || m_project.model.layers[output].units == classes) {
        return;
    }
    const int before = m_project.model.layers[output].units;
    setModel(withOutputUnits(m_project.model, classes),
             tr("Size the Output Layer to %n Classes", nullptr, classes));
    Q_EMIT outputLayerSized(tr("The output layer now has %1 units, one per class of the "
                               "dataset (it had %2); Edit > Undo puts it back.")
                                .arg(classes)
                                .arg(before));
}

void ProjectDocument::clearDatasetIndex()
{
    if (!m_hasIndex) {
        return;
    }
    m_index = DatasetIndex();
    m_hasIndex = false;
    Q_EMIT datasetIndexChanged();
    updateSummary();
}

void ProjectDocument::applyProject(const Project& project)
{
    m_project = project;
    Q_EMIT projectChanged();
    updateSummary();
}

void ProjectDocument::resetTo(const Project& project, const QString& path)
{
    m_undoStack->clear(); // emits cleanChanged, hence modifiedChanged, if it was modified
    setFilePath(path);
    if (m_hasIndex && QFileInfo(m_index.root) != QFileInfo(project.dataset.root)) {
        clearDatasetIndex();
    }
    applyProject(project);
}

void ProjectDocument::setFilePath(const QString& path)
{
    if (path == m_filePath) {
        return;
    }
    m_filePath = path;
    Q_EMIT filePathChanged(path);
}

void ProjectDocument::updateSummary()
{
    const int classes = m_hasIndex ? int(m_index.classes.size()) : 0;
    m_summary = summarizeModel(m_project.model, inputShapeFor(m_project.dataset), classes,
                               m_project.training.batchSize);
    Q_EMIT modelSummaryChanged();
}

} // namespace studio
