// The Model page: the layer-stack editor (palette, templates, the table of layers with shapes
// and parameter counts, the selected layer's form, problems and totals), all edits undoable.
#pragma once

#include "model/layerspec.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableView;

namespace studio {

class BackgroundRunner;
class LayerForm;
class LayerStackModel;
class ProjectDocument;

class ModelPage : public QWidget
{
    Q_OBJECT

public:
    explicit ModelPage(ProjectDocument* document, QWidget* parent = nullptr);

    LayerStackModel* layerModel() const { return m_model; }
    QTableView* layerView() const { return m_view; }
    LayerForm* layerForm() const { return m_form; }

    int currentRow() const;
    void selectRow(int row);

    // The editing actions of the buttons, on the selected layer.
    void addLayer(LayerType type);
    void removeCurrent();
    void duplicateCurrent();
    void moveCurrent(int delta);
    // Replaces the stack by a template's (its output layer sized to the dataset's classes).
    bool applyTemplate(const QString& name);
    // Applies the first fix the validation offers; false when there is none.
    bool applyFirstFix();
    // Transfer learning: the model file the weights start from (empty: random), one undo step.
    void setStartFrom(const QString& modelPath);
    // Freezes every layer with weights except the output layer (the last Dense), one undo step.
    void freezeAllButOutput();
    // Puts the TorchScript feature extractor at `path` in front of the layers after the first
    // Flatten (one undo step). The file is loaded and probed in the background (a backbone can
    // take seconds); featureExtractorDone() follows, with the error when the file cannot be used
    // (then nothing changes).
    void useFeatureExtractor(const QString& path);
    // Whether a feature extractor is being read.
    bool isReadingFeatureExtractor() const;

    // The problems shown under the table / the totals line.
    QString problemText() const;
    QString totalsText() const;

Q_SIGNALS:
    // useFeatureExtractor() finished: `error` is empty when the layers were replaced.
    void featureExtractorDone(const QString& error);

private:
    QWidget* buildSidebar();
    // Applies a feature extractor that inspectFeatureExtractor() read from `path`.
    void applyFeatureExtractor(const QString& path, const FeatureExtractorSpec& extractor);
    void refresh();
    void updateForm();
    void updateButtons();

    ProjectDocument* m_document;
    LayerStackModel* m_model;
    QTableView* m_view = nullptr;
    LayerForm* m_form = nullptr;
    QListWidget* m_palette = nullptr;
    QComboBox* m_templates = nullptr;
    QLabel* m_templateNote = nullptr; // what a template changed besides the layers
    QLabel* m_startFrom = nullptr;    // the model the weights start from
    QPushButton* m_useExtractor = nullptr;
    BackgroundRunner* m_runner = nullptr; // reads feature extractors
    QPushButton* m_clearStartFrom = nullptr;
    QLabel* m_totals = nullptr;
    QLabel* m_problems = nullptr;
    QPushButton* m_fixButton = nullptr;
    QPushButton* m_removeButton = nullptr;
    QPushButton* m_duplicateButton = nullptr;
    QPushButton* m_upButton = nullptr;
    QPushButton* m_downButton = nullptr;
    int m_lastRow = -1;
};

} // namespace studio
