#include "hyperparameterform.h"

#include "project/trainingschema.h"
#include "settingwidgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <thread>

namespace studio {

namespace {

// Shows `monitor` (an older alias such as val_acc gets an item of its own).
void setMonitor(QComboBox* combo, const QString& monitor)
{
    if (combo->findData(monitor) < 0) {
        combo->addItem(monitor, monitor);
    }
    combo->setCurrentIndex(combo->findData(monitor));
}

} // namespace

HyperparameterForm::HyperparameterForm(QWidget* parent) : QWidget(parent)
{
    const TrainingSchema& f = trainingSchema();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* general = new QFormLayout;
    layout->addLayout(general);
    m_optimizer = choiceCombo(f.optimizer);
    addSettingRow(general, f.optimizer, m_optimizer);
    layout->addWidget(buildOptimizerBox());

    auto* rates = new QFormLayout;
    layout->addLayout(rates);
    m_learningRate = numberSpin(f.learningRate);
    addSettingRow(rates, f.learningRate, m_learningRate);
    m_decay = numberSpin(f.decay);
    addSettingRow(rates, f.decay, m_decay);
    m_batchSize = integerSpin(f.batchSize);
    addSettingRow(rates, f.batchSize, m_batchSize);
    m_epochs = integerSpin(f.epochs);
    addSettingRow(rates, f.epochs, m_epochs);
    m_classWeights = choiceCombo(f.classWeights);
    addSettingRow(rates, f.classWeights, m_classWeights);
    m_batchNormStatistics = choiceCombo(f.batchNormStatistics);
    addSettingRow(rates, f.batchNormStatistics, m_batchNormStatistics);

    layout->addWidget(buildEarlyStoppingBox());
    layout->addWidget(buildReduceLrBox());

    auto* run = new QFormLayout;
    layout->addLayout(run);
    m_seed = wholeNumberEdit(f.seed);
    addSettingRow(run, f.seed, m_seed);
    m_threads = integerSpin(f.threads);
    m_threads->setSpecialValueText(
        tr("all cores (%1)").arg(std::max(1u, std::thread::hardware_concurrency())));
    addSettingRow(run, f.threads, m_threads);
    m_precision = choiceCombo(f.precision);
    addSettingRow(run, f.precision, m_precision);
    layout->addStretch(1);

    connect(m_optimizer, qOverload<int>(&QComboBox::currentIndexChanged), m_optimizerPages,
            &QStackedWidget::setCurrentIndex);
    watchAll();
    setSettings(TrainingSettings{});
}

void HyperparameterForm::watchAll()
{
    watch(m_optimizer, QStringLiteral("training.optimizer.name"));
    watch(m_adamBeta1, QStringLiteral("training.optimizer.beta_1"));
    watch(m_adamBeta2, QStringLiteral("training.optimizer.beta_2"));
    watch(m_adamEpsilon, QStringLiteral("training.optimizer.epsilon"));
    watch(m_adamAmsgrad, QStringLiteral("training.optimizer.amsgrad"));
    watch(m_sgdMomentum, QStringLiteral("training.optimizer.momentum"));
    watch(m_sgdNesterov, QStringLiteral("training.optimizer.nesterov"));
    watch(m_rmsRho, QStringLiteral("training.optimizer.rho"));
    watch(m_rmsMomentum, QStringLiteral("training.optimizer.rms_momentum"));
    watch(m_rmsEpsilon, QStringLiteral("training.optimizer.rms_epsilon"));
    watch(m_rmsCentered, QStringLiteral("training.optimizer.centered"));
    watch(m_learningRate, QStringLiteral("training.learning_rate"));
    watch(m_decay, QStringLiteral("training.decay"));
    watch(m_batchSize, QStringLiteral("training.batch_size"));
    watch(m_epochs, QStringLiteral("training.epochs"));
    watch(m_classWeights, QStringLiteral("training.class_weights"));
    watch(m_batchNormStatistics, QStringLiteral("training.batch_norm_statistics"));
    watch(m_earlyStopping, QStringLiteral("training.callbacks.early_stopping.enabled"));
    watch(m_esMonitor, QStringLiteral("training.callbacks.early_stopping.monitor"));
    watch(m_esPatience, QStringLiteral("training.callbacks.early_stopping.patience"));
    watch(m_esMinDelta, QStringLiteral("training.callbacks.early_stopping.min_delta"));
    watch(m_esRestoreBest, QStringLiteral("training.callbacks.early_stopping.restore_best"));
    watch(m_reduceLr, QStringLiteral("training.callbacks.reduce_lr_on_plateau.enabled"));
    watch(m_rlMonitor, QStringLiteral("training.callbacks.reduce_lr_on_plateau.monitor"));
    watch(m_rlFactor, QStringLiteral("training.callbacks.reduce_lr_on_plateau.factor"));
    watch(m_rlPatience, QStringLiteral("training.callbacks.reduce_lr_on_plateau.patience"));
    watch(m_rlMinDelta, QStringLiteral("training.callbacks.reduce_lr_on_plateau.min_delta"));
    watch(m_rlCooldown, QStringLiteral("training.callbacks.reduce_lr_on_plateau.cooldown"));
    watch(m_rlMinLr, QStringLiteral("training.callbacks.reduce_lr_on_plateau.min_lr"));
    watch(m_seed, QStringLiteral("training.seed"));
    watch(m_threads, QStringLiteral("training.threads"));
    watch(m_precision, QStringLiteral("training.precision"));
}

QWidget* HyperparameterForm::buildOptimizerBox()
{
    const TrainingSchema& f = trainingSchema();
    m_optimizerPages = new QStackedWidget;

    auto* adam = new QWidget;
    auto* adamForm = new QFormLayout(adam);
    m_adamBeta1 = numberSpin(f.adamBeta1);
    addSettingRow(adamForm, f.adamBeta1, m_adamBeta1);
    m_adamBeta2 = numberSpin(f.adamBeta2);
    addSettingRow(adamForm, f.adamBeta2, m_adamBeta2);
    m_adamEpsilon = numberSpin(f.adamEpsilon);
    addSettingRow(adamForm, f.adamEpsilon, m_adamEpsilon);
    m_adamAmsgrad = flagCheck(f.adamAmsgrad);
    addSettingRow(adamForm, f.adamAmsgrad, m_adamAmsgrad);
    m_optimizerPages->addWidget(adam);

    auto* sgd = new QWidget;
    auto* sgdForm = new QFormLayout(sgd);
    m_sgdMomentum = numberSpin(f.sgdMomentum);
    addSettingRow(sgdForm, f.sgdMomentum, m_sgdMomentum);
    m_sgdNesterov = flagCheck(f.sgdNesterov);
    addSettingRow(sgdForm, f.sgdNesterov, m_sgdNesterov);
    m_optimizerPages->addWidget(sgd);

    auto* rms = new QWidget;
    auto* rmsForm = new QFormLayout(rms);
    m_rmsRho = numberSpin(f.rmsRho);
    addSettingRow(rmsForm, f.rmsRho, m_rmsRho);
    m_rmsMomentum = numberSpin(f.rmsMomentum);
    addSettingRow(rmsForm, f.rmsMomentum, m_rmsMomentum);
    m_rmsEpsilon = numberSpin(f.rmsEpsilon);
    addSettingRow(rmsForm, f.rmsEpsilon, m_rmsEpsilon);
    m_rmsCentered = flagCheck(f.rmsCentered);
    addSettingRow(rmsForm, f.rmsCentered, m_rmsCentered);
    m_optimizerPages->addWidget(rms);

    auto* box = new QGroupBox(tr("Optimizer parameters"));
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_optimizerPages);
    return box;
}

QGroupBox* HyperparameterForm::buildEarlyStoppingBox()
{
    const TrainingSchema& f = trainingSchema();
    m_earlyStopping = flagGroup(f.earlyStopping, QStringLiteral("EarlyStopping"));
    auto* form = new QFormLayout(m_earlyStopping);
    m_esMonitor = choiceCombo(f.esMonitor);
    addSettingRow(form, f.esMonitor, m_esMonitor);
    m_esPatience = integerSpin(f.esPatience);
    addSettingRow(form, f.esPatience, m_esPatience);
    m_esMinDelta = numberSpin(f.esMinDelta);
    addSettingRow(form, f.esMinDelta, m_esMinDelta);
    m_esRestoreBest = flagCheck(f.esRestoreBestWeights);
    addSettingRow(form, f.esRestoreBestWeights, m_esRestoreBest);
    return m_earlyStopping;
}

QGroupBox* HyperparameterForm::buildReduceLrBox()
{
    const TrainingSchema& f = trainingSchema();
    m_reduceLr = flagGroup(f.reduceLr, QStringLiteral("ReduceLROnPlateau"));
    auto* form = new QFormLayout(m_reduceLr);
    m_rlMonitor = choiceCombo(f.rlMonitor);
    addSettingRow(form, f.rlMonitor, m_rlMonitor);
    m_rlFactor = numberSpin(f.rlFactor);
    addSettingRow(form, f.rlFactor, m_rlFactor);
    m_rlPatience = integerSpin(f.rlPatience);
    addSettingRow(form, f.rlPatience, m_rlPatience);
    m_rlMinDelta = numberSpin(f.rlMinDelta);
    addSettingRow(form, f.rlMinDelta, m_rlMinDelta);
    m_rlCooldown = integerSpin(f.rlCooldown);
    addSettingRow(form, f.rlCooldown, m_rlCooldown);
    m_rlMinLr = numberSpin(f.rlMinLr);
    addSettingRow(form, f.rlMinLr, m_rlMinLr);
    return m_reduceLr;
}

void HyperparameterForm::watch(QObject* widget, const QString& key)
{
    const auto emitEdited = [this, key] {
        if (!m_updating) {
            Q_EMIT edited(key);
        }
    };
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) {
        connect(spin, &QDoubleSpinBox::valueChanged, this, emitEdited);
    } else if (auto* intBox = qobject_cast<QSpinBox*>(widget)) {
        connect(intBox, &QSpinBox::valueChanged, this, emitEdited);
    } else if (auto* check = qobject_cast<QCheckBox*>(widget)) {
        connect(check, &QCheckBox::toggled, this, emitEdited);
    } else if (auto* group = qobject_cast<QGroupBox*>(widget)) {
        connect(group, &QGroupBox::toggled, this, emitEdited);
    } else if (auto* combo = qobject_cast<QComboBox*>(widget)) {
        connect(combo, &QComboBox::currentIndexChanged, this, emitEdited);
    } else if (auto* line = qobject_cast<QLineEdit*>(widget)) {
        connect(line, &QLineEdit::editingFinished, this, emitEdited);
    }
}

void HyperparameterForm::setSettings(const TrainingSettings& s)
{
    m_updating = true;
    m_optimizer->setCurrentIndex(int(s.optimizer.kind));
    m_optimizerPages->setCurrentIndex(int(s.optimizer.kind));
    m_adamBeta1->setValue(s.optimizer.adam.beta1);
    m_adamBeta2->setValue(s.optimizer.adam.beta2);
    m_adamEpsilon->setValue(s.optimizer.adam.epsilon);
    m_adamAmsgrad->setChecked(s.optimizer.adam.amsgrad);
    m_sgdMomentum->setValue(s.optimizer.sgd.momentum);
    m_sgdNesterov->setChecked(s.optimizer.sgd.nesterov);
    m_rmsRho->setValue(s.optimizer.rmsprop.rho);
    m_rmsMomentum->setValue(s.optimizer.rmsprop.momentum);
    m_rmsEpsilon->setValue(s.optimizer.rmsprop.epsilon);
    m_rmsCentered->setChecked(s.optimizer.rmsprop.centered);
    m_learningRate->setValue(s.learningRate);
    m_decay->setValue(s.decay);
    m_batchSize->setValue(s.batchSize);
    m_epochs->setValue(s.epochs);
    m_classWeights->setCurrentIndex(int(s.classWeights));
    m_batchNormStatistics->setCurrentIndex(int(s.batchNormStatistics));
    m_precision->setCurrentIndex(int(s.precision));
    const EarlyStoppingSettings& es = s.callbacks.earlyStopping;
    m_earlyStopping->setChecked(es.enabled);
    setMonitor(m_esMonitor, es.monitor);
    m_esPatience->setValue(es.patience);
    m_esMinDelta->setValue(es.minDelta);
    m_esRestoreBest->setChecked(es.restoreBestWeights);
    const ReduceLrOnPlateauSettings& rl = s.callbacks.reduceLrOnPlateau;
    m_reduceLr->setChecked(rl.enabled);
    setMonitor(m_rlMonitor, rl.monitor);
    m_rlFactor->setValue(rl.factor);
    m_rlPatience->setValue(rl.patience);
    m_rlMinDelta->setValue(rl.minDelta);
    m_rlCooldown->setValue(rl.cooldown);
    m_rlMinLr->setValue(rl.minLr);
    m_seed->setText(QString::number(s.seed));
    m_threads->setValue(s.threads);
    m_updating = false;
}

TrainingSettings HyperparameterForm::settings(const TrainingSettings& base) const
{
    TrainingSettings s = base;
    s.optimizer.kind = OptimizerKind(m_optimizer->currentIndex());
    s.optimizer.adam.beta1 = m_adamBeta1->value();
    s.optimizer.adam.beta2 = m_adamBeta2->value();
    s.optimizer.adam.epsilon = m_adamEpsilon->value();
    s.optimizer.adam.amsgrad = m_adamAmsgrad->isChecked();
    s.optimizer.sgd.momentum = m_sgdMomentum->value();
    s.optimizer.sgd.nesterov = m_sgdNesterov->isChecked();
    s.optimizer.rmsprop.rho = m_rmsRho->value();
    s.optimizer.rmsprop.momentum = m_rmsMomentum->value();
    s.optimizer.rmsprop.epsilon = m_rmsEpsilon->value();
    s.optimizer.rmsprop.centered = m_rmsCentered->isChecked();
    s.learningRate = m_learningRate->value();
    s.decay = m_decay->value();
    s.batchSize = m_batchSize->value();
    s.epochs = m_epochs->value();
    s.classWeights = ClassWeighting(m_classWeights->currentIndex());
    s.batchNormStatistics = BatchNormStatistics(m_batchNormStatistics->currentIndex());
    s.precision = Precision(m_precision->currentIndex());
    EarlyStoppingSettings& es = s.callbacks.earlyStopping;
    es.enabled = m_earlyStopping->isChecked();
    es.monitor = m_esMonitor->currentData().toString();
    es.patience = m_esPatience->value();
    es.minDelta = m_esMinDelta->value();
    es.restoreBestWeights = m_esRestoreBest->isChecked();
    ReduceLrOnPlateauSettings& rl = s.callbacks.reduceLrOnPlateau;
    rl.enabled = m_reduceLr->isChecked();
    rl.monitor = m_rlMonitor->currentData().toString();
    rl.factor = m_rlFactor->value();
    rl.patience = m_rlPatience->value();
    rl.minDelta = m_rlMinDelta->value();
    rl.cooldown = m_rlCooldown->value();
    rl.minLr = m_rlMinLr->value();
    bool ok = false;
    const quint64 seed = m_seed->text().toULongLong(&ok);
    if (ok && m_seed->hasAcceptableInput()) {
        s.seed = seed;
    }
    s.threads = m_threads->value();
    return s;
}

} // namespace studio
