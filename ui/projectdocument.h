// The open project of the GUI: the current Project, its file, its undo stack and whether it has
// unsaved changes; plus the last dataset scan and the model's summary, which every page reads.
#pragma once

#include "dataset/datasetindex.h"
#include "model/modelsummary.h"
#include "project/project.h"

#include <QObject>
#include <QString>
#include <QStringList>

class QUndoStack;

namespace studio {

class ProjectDocument : public QObject
{
    Q_OBJECT

public:
    explicit ProjectDocument(QObject* parent = nullptr);
    ~ProjectDocument() override;

    const Project& project() const { return m_project; }
    QUndoStack* undoStack() const { return m_undoStack; }

    // The project file; empty for a project never saved.
    QString filePath() const { return m_filePath; }
    // The file's name without ".json", or "Untitled".
    QString displayName() const;
    bool isModified() const;

    // Replaces the project as one undoable edit named `text` (nothing happens when it is the
    // same). Consecutive edits with the same non-empty `mergeKey` (a spin box being typed
    // into, e.g. "training.learning_rate") merge into one undo step.
    void setProject(const Project& project, const QString& text = QString(),
                    const QString& mergeKey = QString());
    // Shorthands for setProject() that replace one section.
    void setDataset(const DatasetSettings& dataset, const QString& text = QString(),
                    const QString& mergeKey = QString());
    void setAugmentation(const AugmentationSettings& augmentation, const QString& text = QString(),
                         const QString& mergeKey = QString());
    void setModel(const ModelSpec& model, const QString& text = QString(),
                  const QString& mergeKey = QString());
    void setTraining(const TrainingSettings& training, const QString& text = QString(),
                     const QString& mergeKey = QString());

    // A new untitled project (defaultProject()); clears the undo stack.
    void newProject();
    // Reads the project file at `path`; on success it becomes the document, unmodified, and
    // its load warnings are in loadWarnings(). On failure nothing changes.
    Status open(const QString& path);
    // Writes to filePath() (which must not be empty) / to `path`, which becomes filePath().
    Status save();
    Status saveAs(const QString& path);
    QStringList loadWarnings() const { return m_loadWarnings; }

    // The last scan of the project's dataset (set by the Data page); empty before any scan.
    bool hasDatasetIndex() const { return m_hasIndex; }
    const DatasetIndex& datasetIndex() const { return m_index; }
    // Setting it also sizes the output layer to the index's classes when they differ (one
    // undoable step, announced by outputLayerSized), as `classifier-cli train --data` does.
    void setDatasetIndex(const DatasetIndex& index);
    void clearDatasetIndex();
    // The class names of the last scan; empty before any scan.
    QStringList classNames() const { return m_index.classes; }

    // The layer stack summarised for the project's input shape, batch size and (once a scan
    // is known) number of classes. Kept current.
    const ModelSummary& modelSummary() const { return m_summary; }
    // Why the model cannot be trained, one message per line; empty when it can. The Train page
    // disables Start while this is not empty.
    QString modelProblem() const { return m_summary.errorText(); }
    bool hasModelProblem() const { return m_summary.hasErrors(); }

Q_SIGNALS:
    // Any change of project(): an edit, undo/redo, new, open.
    void projectChanged();
    void modifiedChanged(bool modified);
    void filePathChanged(const QString& path);
    void datasetIndexChanged();
    // modelSummary() was recomputed (after projectChanged or datasetIndexChanged).
    void modelSummaryChanged();
    // setDatasetIndex() sized the output layer to the dataset's classes; `message` says so in
    // plain words for the status bar and the log.
    void outputLayerSized(const QString& message);

private:
    friend class SetProjectCommand;
    void applyProject(const Project& project);
    void resetTo(const Project& project, const QString& path);
    void setFilePath(const QString& path);
    void updateSummary();
    void sizeOutputLayerToClasses();

    Project m_project;
    QString m_filePath;
    QStringList m_loadWarnings;
    QUndoStack* m_undoStack = nullptr;
    bool m_hasIndex = false;
    DatasetIndex m_index;
    ModelSummary m_summary;
};

} // namespace studio
