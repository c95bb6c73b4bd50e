#include "hyperparameterform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>
#include <thread>

namespace studio {

namespace {

// A spin box that shows and reads numbers like 1e-07 and 0.001, stepping by factors of ten.
class ScientificSpinBox : public QDoubleSpinBox
{
public:
    ScientificSpinBox(double minimum, double maximum, QWidget* parent = nullptr)
        : QDoubleSpinBox(parent)
    {
        setDecimals(15);
        setRange(minimum, maximum);
    }

    QString textFromValue(double value) const override { return QString::number(value, 'g', 6); }

    double valueFromText(const QString& text) const override { return text.toDouble(); }

    QValidator::State validate(QString& text, int&) const override
    {
        if (text.isEmpty() || text == QLatin1String("-") ||
            text.endsWith(QLatin1Char('e'), Qt::CaseInsensitive) ||
            text.endsWith(QLatin1Char('.'))) {
            return QValidator::Intermediate;
        }
        bool ok = false;
        text.toDouble(&ok);
        return ok ? QValidator::Acceptable : QValidator::Invalid;
    }

    void stepBy(int steps) override
    {
        const double current = value();
        setValue(current <= 0 ? (steps > 0 ? 1e-6 : 0) : current * std::pow(10.0, steps));
    }
};

QDoubleSpinBox* plainSpin(double minimum, double maximum, double step, int decimals)
{
    auto* spin = new QDoubleSpinBox;
    spin->setRange(minimum, maximum);
    spin->setSingleStep(step);
    spin->setDecimals(decimals);
    return spin;
}

QSpinBox* intSpin(int minimum, int maximum)
{
    auto* spin = new QSpinBox;
    spin->setRange(minimum, maximum);
    return spin;
}

QComboBox* monitorCombo()
{
    auto* combo = new QComboBox;
    combo->addItems({QStringLiteral("val_loss"), QStringLiteral("val_accuracy"),
                     QStringLiteral("loss"), QStringLiteral("accuracy")});
    return combo;
}

void setMonitor(QComboBox* combo, const QString& monitor)
{
    if (combo->findText(monitor) < 0) {
        combo->addItem(monitor);
    }
    combo->setCurrentText(monitor);
}

// Adds a row whose label and field share the tooltip.
void addRow(QFormLayout* form, const QString& label, QWidget* field, const QString& tip)
{
    field->setToolTip(tip);
    form->addRow(label, field);
    if (QWidget* labelWidget = form->labelForField(field)) {
        labelWidget->setToolTip(tip);
    }
}

const QString kMonitorTip = QObject::tr(
    "Which number to watch: val_loss (the loss on the validation images, the usual choice), "
    "val_accuracy, or the training loss/accuracy.");

} // namespace

HyperparameterForm::HyperparameterForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* general = new QFormLayout;
    layout->addLayout(general);

    m_optimizer = new QComboBox;
    m_optimizer->addItem(QStringLiteral("Adam"));
    m_optimizer->addItem(QStringLiteral("SGD"));
    m_optimizer->addItem(QStringLiteral("RMSprop"));
    addRow(general, QStringLiteral("optimizer"), m_optimizer,
           tr("The algorithm that turns the loss into weight updates: each weight moves against "
              "its gradient, scaled by the learning rate. Adam adapts the step size by itself "
              "and is today's best default for a CNN; SGD and RMSprop are older and are worth "
              "trying in specific cases."));
    layout->addWidget(buildOptimizerBox());

    auto* rates = new QFormLayout;
    layout->addLayout(rates);
    m_learningRate = new ScientificSpinBox(1e-8, 10);
    addRow(rates, QStringLiteral("learning_rate"), m_learningRate,
           tr("How far each update moves the weights. Probably the most critical "
              "hyperparameter: check it before any other. It is usually below 1 and 1e-3 is a "
              "good start; the range that works is often narrow (one power of ten or less). "
              "Too large: the loss jumps or grows. Too small: it falls very slowly."));
    m_decay = new ScientificSpinBox(0, 1);
    addRow(rates, QStringLiteral("decay"), m_decay,
           tr("Gradually lowers the learning rate (lr / (1 + decay * iterations)) for a "
              "smoother convergence; without it the minimum of the loss may be missed or take "
              "long to find. 1e-3 or 1e-4 are good values; 0 turns it off."));
    m_batchSize = intSpin(1, 65536);
    addRow(rates, QStringLiteral("batch_size"), m_batchSize,
           tr("How many images are passed to the network per update (the tutorial uses 20). "
              "One image at a time makes the loss surface change constantly and training may "
              "never converge; all images at once may fit the training images too closely. "
              "Batches are the compromise, and their slight noise helps the model generalise."));
    m_epochs = intSpin(1, 100000);
    addRow(rates, QStringLiteral("epochs"), m_epochs,
           tr("How many times training goes through all training images. Start with a number "
              "likely too large, watch the curves, and stop at or shortly after over-fitting "
              "begins: where the validation loss rises above the training loss and the "
              "validation accuracy falls below the training accuracy."));

    m_classWeights = new QComboBox;
    m_classWeights->setObjectName(QStringLiteral("classWeights"));
    m_classWeights->addItem(tr("treat every image alike"), QStringLiteral("none"));
    m_classWeights->addItem(tr("weigh small classes more (\"balanced\")"),
                            QStringLiteral("balanced"));
    m_classWeights->addItem(tr("show every class equally often (\"balanced_sampling\")"),
                            QStringLiteral("balanced_sampling"));
    addRow(rates, tr("Unbalanced classes (class_weight)"), m_classWeights,
           tr("When some classes have many more images than others, the network learns to "
              "favour them. \"balanced\" weighs each image's loss by the inverse of its class's "
              "share (Keras's class_weight, computed as scikit-learn's \"balanced\"); "
              "\"balanced_sampling\" instead draws every class equally often in the batches, "
              "repeating the small classes' images. Either raises the small classes' recall."));
    m_batchNormStatistics = new QComboBox;
    m_batchNormStatistics->setObjectName(QStringLiteral("batchNormStatistics"));
    m_batchNormStatistics->addItem(tr("measured again after every epoch"),
                                   QStringLiteral("recompute"));
    m_batchNormStatistics->addItem(tr("moving average, as Keras"),
                                   QStringLiteral("moving_average"));
    addRow(rates, tr("BatchNorm statistics (batch_norm_statistics)"), m_batchNormStatistics,
           tr("What BatchNormalization layers use when the model classifies. Measured again: at "
              "the end of every epoch, on up to 4,096 training images, for the weights as they "
              "are then; this works at any dataset size. Moving average: Keras's, which starts "
              "from fixed values and with a small dataset (a few hundred steps) can leave the "
              "model answering one class for everything."));

    layout->addWidget(buildEarlyStoppingBox());
    layout->addWidget(buildReduceLrBox());

    auto* run = new QFormLayout;
    layout->addLayout(run);
    m_seed = new QLineEdit;
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,19}")), m_seed));
    addRow(run, QStringLiteral("seed"), m_seed,
           tr("Starting point of the random numbers: initial weights, shuffling order and "
              "augmentation. The same seed and settings give the same run."));
    m_threads = intSpin(0, 1024);
    m_threads->setSpecialValueText(
        tr("all cores (%1)").arg(std::max(1u, std::thread::hardware_concurrency())));
    addRow(run, QStringLiteral("threads"), m_threads,
           tr("CPU threads used for the network's computations. 0 uses every core."));
    layout->addStretch(1);

    connect(m_optimizer, qOverload<int>(&QComboBox::currentIndexChanged), m_optimizerPages,
            &QStackedWidget::setCurrentIndex);
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

    setSettings(TrainingSettings{});
}

QWidget* HyperparameterForm::buildOptimizerBox()
{
    m_optimizerPages = new QStackedWidget;

    auto* adam = new QWidget;
    auto* adamForm = new QFormLayout(adam);
    m_adamBeta1 = plainSpin(0, 0.999999, 0.01, 6);
    addRow(adamForm, QStringLiteral("beta_1"), m_adamBeta1,
           tr("How much of the past gradients Adam keeps (their running mean). Keras: 0.9."));
    m_adamBeta2 = plainSpin(0, 0.999999, 0.001, 6);
    addRow(adamForm, QStringLiteral("beta_2"), m_adamBeta2,
           tr("How much of the past squared gradients Adam keeps, which sets each weight's "
              "own step size. Keras: 0.999."));
    m_adamEpsilon = new ScientificSpinBox(1e-12, 1);
    addRow(adamForm, QStringLiteral("epsilon"), m_adamEpsilon,
           tr("A tiny number that keeps steps finite when gradients are near zero. Keras: 1e-7."));
    m_adamAmsgrad = new QCheckBox;
    addRow(adamForm, QStringLiteral("amsgrad"), m_adamAmsgrad,
           tr("The AMSGrad variant of Adam, which never lets a weight's step size grow back."));
    m_optimizerPages->addWidget(adam);

    auto* sgd = new QWidget;
    auto* sgdForm = new QFormLayout(sgd);
    m_sgdMomentum = plainSpin(0, 0.999999, 0.05, 6);
    addRow(sgdForm, QStringLiteral("momentum"), m_sgdMomentum,
           tr("Keeps moving in the direction of previous updates, which damps oscillations. "
              "0 is plain gradient descent; 0.9 is common."));
    m_sgdNesterov = new QCheckBox;
    addRow(sgdForm, QStringLiteral("nesterov"), m_sgdNesterov,
           tr("Nesterov momentum: looks ahead along the momentum before computing the "
              "gradient."));
    m_optimizerPages->addWidget(sgd);

    auto* rms = new QWidget;
    auto* rmsForm = new QFormLayout(rms);
    m_rmsRho = plainSpin(0, 0.999999, 0.01, 6);
    addRow(rmsForm, QStringLiteral("rho"), m_rmsRho,
           tr("How much of the past squared gradients RMSprop keeps. Keras: 0.9."));
    m_rmsMomentum = plainSpin(0, 0.999999, 0.05, 6);
    addRow(rmsForm, QStringLiteral("momentum"), m_rmsMomentum,
           tr("Keeps moving in the direction of previous updates. Keras: 0."));
    m_rmsEpsilon = new ScientificSpinBox(1e-12, 1);
    addRow(rmsForm, QStringLiteral("epsilon"), m_rmsEpsilon,
           tr("A tiny number that keeps steps finite when gradients are near zero. Keras: 1e-7."));
    m_rmsCentered = new QCheckBox;
    addRow(rmsForm, QStringLiteral("centered"), m_rmsCentered,
           tr("Normalises by the gradients' variance instead of their mean square; can help, "
              "costs a little more."));
    m_optimizerPages->addWidget(rms);

    auto* box = new QGroupBox(tr("Optimizer parameters"));
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_optimizerPages);
    return box;
}

QGroupBox* HyperparameterForm::buildEarlyStoppingBox()
{
    m_earlyStopping = new QGroupBox(QStringLiteral("EarlyStopping"));
    m_earlyStopping->setCheckable(true);
    m_earlyStopping->setToolTip(
        tr("Stops training when the watched number has stopped improving, so that the run "
           "ends near the point where over-fitting begins instead of after all epochs."));
    auto* form = new QFormLayout(m_earlyStopping);
    m_esMonitor = monitorCombo();
    addRow(form, QStringLiteral("monitor"), m_esMonitor, kMonitorTip);
    m_esPatience = intSpin(0, 100000);
    addRow(form, QStringLiteral("patience"), m_esPatience,
           tr("Epochs without improvement to wait before stopping."));
    m_esMinDelta = new ScientificSpinBox(0, 1e6);
    addRow(form, QStringLiteral("min_delta"), m_esMinDelta,
           tr("The smallest change that counts as an improvement."));
    m_esRestoreBest = new QCheckBox;
    addRow(form, QStringLiteral("restore_best_weights"), m_esRestoreBest,
           tr("At the end, go back to the weights of the best epoch rather than keep the "
              "last."));
    return m_earlyStopping;
}

QGroupBox* HyperparameterForm::buildReduceLrBox()
{
    m_reduceLr = new QGroupBox(QStringLiteral("ReduceLROnPlateau"));
    m_reduceLr->setCheckable(true);
    m_reduceLr->setToolTip(
        tr("Lowers the learning rate when the watched number stops improving: smaller steps "
           "often find a lower loss once large steps only circle the minimum."));
    auto* form = new QFormLayout(m_reduceLr);
    m_rlMonitor = monitorCombo();
    addRow(form, QStringLiteral("monitor"), m_rlMonitor, kMonitorTip);
    m_rlFactor = plainSpin(0.001, 0.999, 0.05, 3);
    addRow(form, QStringLiteral("factor"), m_rlFactor,
           tr("The learning rate is multiplied by this (between 0 and 1)."));
    m_rlPatience = intSpin(0, 100000);
    addRow(form, QStringLiteral("patience"), m_rlPatience,
           tr("Epochs without improvement before the rate is lowered."));
    m_rlMinDelta = new ScientificSpinBox(0, 1e6);
    addRow(form, QStringLiteral("min_delta"), m_rlMinDelta,
           tr("The smallest change that counts as an improvement."));
    m_rlCooldown = intSpin(0, 100000);
    addRow(form, QStringLiteral("cooldown"), m_rlCooldown,
           tr("Epochs to wait after lowering before watching again."));
    m_rlMinLr = new ScientificSpinBox(0, 10);
    addRow(form, QStringLiteral("min_lr"), m_rlMinLr,
           tr("The learning rate is never lowered below this."));
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
    EarlyStoppingSettings& es = s.callbacks.earlyStopping;
    es.enabled = m_earlyStopping->isChecked();
    es.monitor = m_esMonitor->currentText();
    es.patience = m_esPatience->value();
    es.minDelta = m_esMinDelta->value();
    es.restoreBestWeights = m_esRestoreBest->isChecked();
    ReduceLrOnPlateauSettings& rl = s.callbacks.reduceLrOnPlateau;
    rl.enabled = m_reduceLr->isChecked();
    rl.monitor = m_rlMonitor->currentText();
    rl.factor = m_rlFactor->value();
    rl.patience = m_rlPatience->value();
    rl.minDelta = m_rlMinDelta->value();
    rl.cooldown = m_rlCooldown->value();
    rl.minLr = m_rlMinLr->value();
    bool ok = false;
    const quint64 seed = m_seed->text().toULongLong(&ok);
    if (ok) {
        s.seed = seed;
    }
    s.threads = m_threads->value();
    return s;
}

} // namespace studio
