// The Train page's form: optimizer and its parameters, learning rate, decay, batch size,
// epochs, EarlyStopping, ReduceLROnPlateau, seed and threads, labelled in plain words with
// Keras's names beside them and explained in tooltips drawn from the tutorial.
#pragma once

#include "project/trainingsettings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLineEdit;
class QSpinBox;
class QStackedWidget;

namespace studio {

class HyperparameterForm : public QWidget
{
    Q_OBJECT

public:
    explicit HyperparameterForm(QWidget* parent = nullptr);

    // Shows `settings` without emitting edited().
    void setSettings(const TrainingSettings& settings);
    // `base` with the form's values (fields the form does not show are kept).
    TrainingSettings settings(const TrainingSettings& base) const;

Q_SIGNALS:
    // The user changed a field; `key` is its project-file name ("training.learning_rate").
    void edited(const QString& key);

private:
    QWidget* buildOptimizerBox();
    QGroupBox* buildEarlyStoppingBox();
    QGroupBox* buildReduceLrBox();
    void watchAll();
    // Emits edited(key) when the widget's value changes by the user's hand.
    void watch(QObject* widget, const QString& key);

    bool m_updating = false;
    QComboBox* m_optimizer = nullptr;
    QStackedWidget* m_optimizerPages = nullptr;
    QDoubleSpinBox* m_adamBeta1 = nullptr;
    QDoubleSpinBox* m_adamBeta2 = nullptr;
    QDoubleSpinBox* m_adamEpsilon = nullptr;
    QCheckBox* m_adamAmsgrad = nullptr;
    QDoubleSpinBox* m_sgdMomentum = nullptr;
    QCheckBox* m_sgdNesterov = nullptr;
    QDoubleSpinBox* m_rmsRho = nullptr;
    QDoubleSpinBox* m_rmsMomentum = nullptr;
    QDoubleSpinBox* m_rmsEpsilon = nullptr;
    QCheckBox* m_rmsCentered = nullptr;
    QDoubleSpinBox* m_learningRate = nullptr;
    QDoubleSpinBox* m_decay = nullptr;
    QSpinBox* m_batchSize = nullptr;
    QSpinBox* m_epochs = nullptr;
    QComboBox* m_classWeights = nullptr;        // in ClassWeighting's order
    QComboBox* m_batchNormStatistics = nullptr; // in BatchNormStatistics's order
    QComboBox* m_precision = nullptr;           // in Precision's order
    QGroupBox* m_earlyStopping = nullptr;
    QComboBox* m_esMonitor = nullptr;
    QSpinBox* m_esPatience = nullptr;
    QDoubleSpinBox* m_esMinDelta = nullptr;
    QCheckBox* m_esRestoreBest = nullptr;
    QGroupBox* m_reduceLr = nullptr;
    QComboBox* m_rlMonitor = nullptr;
    QDoubleSpinBox* m_rlFactor = nullptr;
    QSpinBox* m_rlPatience = nullptr;
    QDoubleSpinBox* m_rlMinDelta = nullptr;
    QSpinBox* m_rlCooldown = nullptr;
    QDoubleSpinBox* m_rlMinLr = nullptr;
    QLineEdit* m_seed = nullptr;
    QSpinBox* m_threads = nullptr;
};

} // namespace studio
