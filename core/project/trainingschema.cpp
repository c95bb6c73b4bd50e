#include "project/trainingschema.h"

#include <QCoreApplication>

namespace studio {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("studio::TrainingSchema", text);
}

constexpr int kScientific = 12; // decimals of a number shown as 1e-07 (the smallest step)

// Where each group of settings sits in the project file. Functions, not globals: the tables
// may be built while other files' globals are initialised.
QString optimizerSection()
{
    return QStringLiteral("training.optimizer");
}
QString trainingSection()
{
    return QStringLiteral("training");
}
QString earlyStoppingSection()
{
    return QStringLiteral("training.callbacks.early_stopping");
}
QString reduceLrSection()
{
    return QStringLiteral("training.callbacks.reduce_lr_on_plateau");
}
QString checkpointSection()
{
    return QStringLiteral("training.callbacks.model_checkpoint");
}

using F = SettingField;

SettingField monitor(const QString& section, const QString& value)
{
    return F::choice(section, QStringLiteral("monitor"),
                     {{QStringLiteral("val_loss"), tr("Validation loss")},
                      {QStringLiteral("val_accuracy"), tr("Validation accuracy")},
                      {QStringLiteral("loss"), tr("Training loss")},
                      {QStringLiteral("accuracy"), tr("Training accuracy")}},
                     value, tr("Watch"),
                     tr("Which number to watch: the loss on the validation images (the usual "
                        "choice), their accuracy, or the training loss or accuracy."));
}

void addOptimizer(TrainingSchema& s)
{
    s.optimizer =
        F::choice(optimizerSection(), QStringLiteral("name"),
                  {{QStringLiteral("adam"), tr("Adam")},
                   {QStringLiteral("sgd"), tr("SGD (gradient descent)")},
                   {QStringLiteral("rmsprop"), tr("RMSprop")}},
                  QStringLiteral("adam"), tr("Optimizer"),
                  tr("The algorithm that turns the loss into weight updates: each weight moves "
                     "against its gradient, scaled by the learning rate. Adam adapts the step "
                     "size by itself and is today's best default for a CNN; SGD and RMSprop are "
                     "older and are worth trying in specific cases."))
            .withKeras(QStringLiteral("optimizer"))
            .withOption(QStringLiteral("optimizer"));
    const NumberRange unit = NumberRange::halfOpen(0, 1);
    const NumberRange epsilon = NumberRange{0, 1, true, false};
    const QString epsilonHelp = tr("A tiny number that keeps steps finite when gradients are "
                                   "near zero. Keras: 1e-7.");
    s.adamBeta1 = F::number(optimizerSection(), QStringLiteral("beta_1"), unit, 0.9, 6,
                            tr("Memory of past gradients"),
                            tr("How much of the past gradients Adam keeps (their running mean). "
                               "Keras: 0.9."));
    s.adamBeta2 = F::number(optimizerSection(), QStringLiteral("beta_2"), unit, 0.999, 6,
                            tr("Memory of past squared gradients"),
                            tr("How much of the past squared gradients Adam keeps, which sets each "
                               "weight's own step size. Keras: 0.999."));
    s.adamEpsilon = F::number(optimizerSection(), QStringLiteral("epsilon"), epsilon, 1e-7,
                              kScientific, tr("Stability term"), epsilonHelp);
    s.adamAmsgrad =
        F::flag(optimizerSection(), QStringLiteral("amsgrad"), false, tr("AMSGrad variant"),
                tr("The AMSGrad variant of Adam, which never lets a weight's step size "
                   "grow back."));
    s.sgdMomentum =
        F::number(optimizerSection(), QStringLiteral("momentum"), unit, 0, 6, tr("Momentum"),
                  tr("Keeps moving in the direction of previous updates, which damps "
                     "oscillations. 0 is plain gradient descent; 0.9 is common."));
    s.sgdNesterov =
        F::flag(optimizerSection(), QStringLiteral("nesterov"), false, tr("Look ahead (Nesterov)"),
                tr("Nesterov momentum: looks ahead along the momentum before computing "
                   "the gradient."));
    s.rmsRho = F::number(optimizerSection(), QStringLiteral("rho"), unit, 0.9, 6,
                         tr("Memory of past squared gradients"),
                         tr("How much of the past squared gradients RMSprop keeps. Keras: 0.9."));
    s.rmsMomentum =
        F::number(optimizerSection(), QStringLiteral("momentum"), unit, 0, 6, tr("Momentum"),
                  tr("Keeps moving in the direction of previous updates. Keras: 0."));
    s.rmsEpsilon = F::number(optimizerSection(), QStringLiteral("epsilon"), epsilon, 1e-7,
                             kScientific, tr("Stability term"), epsilonHelp);
    s.rmsCentered =
        F::flag(optimizerSection(), QStringLiteral("centered"), false, tr("Centred"),
                tr("Normalises by the gradients' variance instead of their mean square; "
                   "can help, costs a little more."));
}

void addTraining(TrainingSchema& s)
{
    s.learningRate =
        F::number(
            trainingSection(), QStringLiteral("learning_rate"), NumberRange{0, 1e6, true, false},
            1e-3, kScientific, tr("Learning rate"),
            tr("How far each update moves the weights. Probably the most critical setting: check "
               "it "
               "before any other. It is usually below 1 and 1e-3 is a good start; the range that "
               "works is often narrow (one power of ten or less). Too large: the loss jumps or "
               "grows. Too small: it falls very slowly."))
            .withOption(QStringLiteral("learning-rate"));
    s.decay = F::number(trainingSection(), QStringLiteral("decay"), NumberRange::closed(0, 10), 0,
                        kScientific, tr("Learning rate decay"),
                        tr("Gradually lowers the learning rate (lr / (1 + decay * iterations)) for "
                           "a smoother convergence; without it the minimum of the loss may be "
                           "missed or take long to find. 1e-3 or 1e-4 are good values; 0 turns it "
                           "off."))
                  .withOption(QStringLiteral("decay"));
    s.weightDecay = F::number(trainingSection(), QStringLiteral("weight_decay"),
                              NumberRange::closed(0, 1), 0, kScientific, tr("Weight penalty (L2)"),
                              tr("Adds this times the sum of the squared kernel weights to the "
                                 "loss, which keeps weights small against over-fitting. 0 turns "
                                 "it off."));
    s.labelSmoothing = F::number(trainingSection(), QStringLiteral("label_smoothing"),
                                 NumberRange::halfOpen(0, 1), 0, 2, tr("Label smoothing"),
                                 tr("Trains towards slightly less than full confidence (e.g. 0.1), "
                                    "which can make the model's confidences more honest."));
    s.classWeights =
        F::choice(trainingSection(), QStringLiteral("class_weights"),
                  {{QStringLiteral("none"), tr("Treat every image alike")},
                   {QStringLiteral("balanced"), tr("Weigh small classes more")},
                   {QStringLiteral("balanced_sampling"), tr("Show every class equally often")}},
                  QStringLiteral("none"), tr("Unbalanced classes"),
                  tr("When some classes have many more images than others, the network learns "
                     "to favour them. \"balanced\" weighs each image's loss by the inverse of "
                     "its class's share (Keras's class_weight, computed as scikit-learn's "
                     "\"balanced\"); \"balanced_sampling\" instead draws every class equally "
                     "often in the batches, repeating the small classes' images. Either raises "
                     "the small classes' recall."))
            .withKeras(QStringLiteral("class_weight"))
            .withOption(QStringLiteral("class-weights"));
    s.batchSize = F::integer(trainingSection(), QStringLiteral("batch_size"), 1, 65536, 20,
                             tr("Images per update"),
                             tr("How many images are passed to the network per update (the "
                                "tutorial uses 20). One image at a time makes the loss surface "
                                "change constantly and training may never converge; all images at "
                                "once may fit the training images too closely. Batches are the "
                                "compromise, and their slight noise helps the model generalise."))
                      .withOption(QStringLiteral("batch-size"));
    s.batchNormStatistics =
        F::choice(trainingSection(), QStringLiteral("batch_norm_statistics"),
                  {{QStringLiteral("recompute"), tr("Measured again after every epoch")},
                   {QStringLiteral("moving_average"), tr("Moving average, as Keras")}},
                  QStringLiteral("recompute"), tr("BatchNorm statistics"),
                  tr("What BatchNormalization layers use when the model classifies. Measured "
                     "again: at the end of every epoch, on up to 4,096 training images, for the "
                     "weights as they are then; this works at any dataset size. Moving average: "
                     "Keras's, which starts from fixed values and with a small dataset (a few "
                     "hundred steps) can leave the model answering one class for everything."))
            .withOption(QStringLiteral("batch-norm-statistics"));
    s.precision =
        F::choice(
            trainingSection(), QStringLiteral("precision"),
            {{QStringLiteral("float32"), tr("32-bit floats throughout")},
             {QStringLiteral("mixed_bfloat16"), tr("Mixed: bfloat16 layers, 32-bit weights")}},
            QStringLiteral("float32"), tr("Arithmetic"),
            tr("Mixed runs the convolutions and Dense layers in bfloat16 (16-bit floats "
               "with float32's range) and keeps the weights, the loss and the updates in "
               "32-bit floats: about a quarter faster on processors with bfloat16 "
               "instructions (AVX-512 BF16, AMX), slower on others, and the run's numbers "
               "differ slightly from a 32-bit run's. Validation, testing and the exported "
               "model stay 32-bit."))
            .withKeras(QStringLiteral("mixed_precision policy"))
            .withOption(QStringLiteral("precision"));
    s.epochs = F::integer(trainingSection(), QStringLiteral("epochs"), 1, 100000, 10,
                          tr("Passes over the images"),
                          tr("How many times training goes through all training images. Start with "
                             "a number likely too large, watch the curves, and stop at or shortly "
                             "after over-fitting begins: where the validation loss rises above the "
                             "training loss and the validation accuracy falls below the training "
                             "accuracy."))
                   .withOption(QStringLiteral("epochs"));
    s.seed = F::integer(trainingSection(), QStringLiteral("seed"), 0, kLargestExactInteger, 42,
                        tr("Random seed"),
                        tr("Starting point of the random numbers: initial weights, shuffling order "
                           "and augmentation. The same seed and settings give the same run."))
                 .withOption(QStringLiteral("seed"));
    s.threads =
        F::integer(trainingSection(), QStringLiteral("threads"), 0, 1024, 0, tr("CPU threads"),
                   tr("CPU threads used for the network's computations. 0 uses every "
                      "core."))
            .withOption(QStringLiteral("threads"));
}

void addCallbacks(TrainingSchema& s)
{
    const QString improvement = tr("The smallest change that counts as an improvement.");
    s.earlyStopping = F::flag(earlyStoppingSection(), QStringLiteral("enabled"), false,
                              tr("Stop when it stops improving"),
                              tr("Stops training when the watched number has stopped improving, so "
                                 "that the run ends near the point where over-fitting begins "
                                 "instead of after all epochs (Keras's EarlyStopping)."));
    s.esMonitor = monitor(earlyStoppingSection(), QStringLiteral("val_loss"));
    s.esPatience =
        F::integer(earlyStoppingSection(), QStringLiteral("patience"), 0, 100000, 5,
                   tr("Epochs to wait"), tr("Epochs without improvement to wait before stopping."));
    s.esMinDelta =
        F::number(earlyStoppingSection(), QStringLiteral("min_delta"), NumberRange::closed(0, 1e6),
                  0, kScientific, tr("Smallest improvement"), improvement);
    s.esRestoreBestWeights = F::flag(earlyStoppingSection(), QStringLiteral("restore_best_weights"),
                                     true, tr("Keep the best epoch's weights"),
                                     tr("At the end, go back to the weights of the best epoch "
                                        "rather than keep the last."));
    s.reduceLr =
        F::flag(reduceLrSection(), QStringLiteral("enabled"), false,
                tr("Lower the learning rate when it stalls"),
                tr("Lowers the learning rate when the watched number stops improving: "
                   "smaller steps often find a lower loss once large steps only circle the "
                   "minimum (Keras's ReduceLROnPlateau)."));
    s.rlMonitor = monitor(reduceLrSection(), QStringLiteral("val_loss"));
    s.rlFactor = F::number(reduceLrSection(), QStringLiteral("factor"), NumberRange::open(0, 1),
                           0.1, 3, tr("Multiply the rate by"),
                           tr("The learning rate is multiplied by this (between 0 and 1)."));
    s.rlPatience = F::integer(reduceLrSection(), QStringLiteral("patience"), 0, 100000, 10,
                              tr("Epochs to wait"),
                              tr("Epochs without improvement before the rate is lowered."));
    s.rlMinDelta =
        F::number(reduceLrSection(), QStringLiteral("min_delta"), NumberRange::closed(0, 1e6), 1e-4,
                  kScientific, tr("Smallest improvement"), improvement);
    s.rlCooldown = F::integer(reduceLrSection(), QStringLiteral("cooldown"), 0, 100000, 0,
                              tr("Epochs to rest after lowering"),
                              tr("Epochs to wait after lowering before watching again."));
    s.rlMinLr = F::number(reduceLrSection(), QStringLiteral("min_lr"), NumberRange::closed(0, 10),
                          0, kScientific, tr("Lowest learning rate"),
                          tr("The learning rate is never lowered below this."));
    s.terminateOnNan =
        F::flag(QStringLiteral("training.callbacks"), QStringLiteral("terminate_on_nan"), true,
                tr("Stop when the loss is not a number"),
                tr("Ends the run at the first batch whose loss is NaN or infinite "
                   "(Keras's TerminateOnNaN)."));
    s.checkpoint =
        F::flag(checkpointSection(), QStringLiteral("enabled"), true, tr("Keep checkpoints"),
                tr("Writes the weights during the run (Keras's ModelCheckpoint)."));
    s.checkpointMonitor = monitor(checkpointSection(), QStringLiteral("val_loss"));
    s.checkpointSaveBestOnly = F::flag(checkpointSection(), QStringLiteral("save_best_only"), true,
                                       tr("Keep only the best"),
                                       tr("Keeps the weights of the best epoch by the watched "
                                          "number, not of every epoch."));
}

TrainingSchema makeTrainingSchema()
{
    TrainingSchema s;
    addOptimizer(s);
    addTraining(s);
    addCallbacks(s);
    return s;
}

} // namespace

QVector<const SettingField*> TrainingSchema::all() const
{
    return {&optimizer,
            &adamBeta1,
            &adamBeta2,
            &adamEpsilon,
            &adamAmsgrad,
            &sgdMomentum,
            &sgdNesterov,
            &rmsRho,
            &rmsMomentum,
            &rmsEpsilon,
            &rmsCentered,
            &learningRate,
            &decay,
            &weightDecay,
            &labelSmoothing,
            &classWeights,
            &batchSize,
            &batchNormStatistics,
            &precision,
            &epochs,
            &seed,
            &threads,
            &earlyStopping,
            &esMonitor,
            &esPatience,
            &esMinDelta,
            &esRestoreBestWeights,
            &reduceLr,
            &rlMonitor,
            &rlFactor,
            &rlPatience,
            &rlMinDelta,
            &rlCooldown,
            &rlMinLr,
            &terminateOnNan,
            &checkpoint,
            &checkpointMonitor,
            &checkpointSaveBestOnly};
}

const TrainingSchema& trainingSchema()
{
    static const TrainingSchema schema = makeTrainingSchema();
    return schema;
}

bool isKnownMonitor(const QString& monitor)
{
    return trainingSchema().esMonitor.choiceIndex(monitor) >= 0 ||
           monitor == QLatin1String("acc") || monitor == QLatin1String("val_acc");
}

} // namespace studio
