// How a network is trained: the project file's "training" section. Plain values with Keras's
// defaults; the JSON names (Keras's) are given beside each field.
#pragma once

#include <QString>

#include <tuple>

namespace studio {

enum class OptimizerKind
{
    Adam,   // "adam"
    Sgd,    // "sgd"
    RmsProp // "rmsprop"
};

// How unbalanced classes are handled.
enum class ClassWeighting
{
    None,            // "none": every image counts the same
    Balanced,        // "balanced": n_images / (n_classes * n_images_of_class), as scikit-learn's
    BalancedSampling // "balanced_sampling": each training image's class drawn uniformly (the
                     // small classes' images repeat, the large ones' are sampled); not Keras's
};

// What a BatchNormalization layer's moving mean and variance (its inference-time statistics) are.
enum class BatchNormStatistics
{
    // "recompute": at the end of every epoch, forgotten and measured again on up to 4,096
    // training images (no augmentation) with the weights as they are then. Holds at any dataset
    // size; departs from Keras, whose moving averages start at mean 0 and variance 1 and, with a
    // few hundred steps, still weigh those starting values more than the data.
    Recompute,
    // "moving_average": Keras's exponential moving average over the training batches
    // (the layer's "momentum").
    MovingAverage
};

// The arithmetic of a training step's forward and backward passes.
enum class Precision
{
    Float32,      // "float32": every operation in 32-bit floats (Keras's default policy)
    MixedBFloat16 // "mixed_bfloat16": convolutions and Dense layers in bfloat16, the weights,
                  // the loss and the optimizer in float32 (Keras's "mixed_bfloat16" policy)
};

// keras.optimizers.Adam
struct AdamSettings
{
    double beta1 = 0.9;    // "beta_1"
    double beta2 = 0.999;  // "beta_2"
    double epsilon = 1e-7; // "epsilon"
    bool amsgrad = false;  // "amsgrad"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const AdamSettings& a, const AdamSettings& b)
    {
        return std::tie(a.beta1, a.beta2, a.epsilon, a.amsgrad) ==
               std::tie(b.beta1, b.beta2, b.epsilon, b.amsgrad);
    }
    friend bool operator!=(const AdamSettings& a, const AdamSettings& b) { return !(a == b); }
};

// keras.optimizers.SGD
struct SgdSettings
{
    double momentum = 0;   // "momentum"
    bool nesterov = false; // "nesterov"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const SgdSettings& a, const SgdSettings& b)
    {
        return std::tie(a.momentum, a.nesterov) == std::tie(b.momentum, b.nesterov);
    }
    friend bool operator!=(const SgdSettings& a, const SgdSettings& b) { return !(a == b); }
};

// keras.optimizers.RMSprop
struct RmsPropSettings
{
    double rho = 0.9;      // "rho"
    double momentum = 0;   // "momentum"
    double epsilon = 1e-7; // "epsilon"
    bool centered = false; // "centered"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const RmsPropSettings& a, const RmsPropSettings& b)
    {
        return std::tie(a.rho, a.momentum, a.epsilon, a.centered) ==
               std::tie(b.rho, b.momentum, b.epsilon, b.centered);
    }
    friend bool operator!=(const RmsPropSettings& a, const RmsPropSettings& b) { return !(a == b); }
};

// The optimizer and its parameters ("optimizer": {"name": "adam", ...}); only the chosen
// optimizer's parameters are written to the project file.
struct OptimizerSettings
{
    OptimizerKind kind = OptimizerKind::Adam; // "name"
    AdamSettings adam;
    SgdSettings sgd;
    RmsPropSettings rmsprop;

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const OptimizerSettings& a, const OptimizerSettings& b)
    {
        return std::tie(a.kind, a.adam, a.sgd, a.rmsprop) ==
               std::tie(b.kind, b.adam, b.sgd, b.rmsprop);
    }
    friend bool operator!=(const OptimizerSettings& a, const OptimizerSettings& b)
    {
        return !(a == b);
    }
};

// keras.callbacks.EarlyStopping ("early_stopping")
struct EarlyStoppingSettings
{
    bool enabled = false;                         // "enabled"
    QString monitor = QStringLiteral("val_loss"); // "monitor": see training/callbacks.h
    int patience = 5;                             // "patience": epochs without improvement
    double minDelta = 0;                          // "min_delta"
    bool restoreBestWeights = true;               // "restore_best_weights"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const EarlyStoppingSettings& a, const EarlyStoppingSettings& b)
    {
        return std::tie(a.enabled, a.monitor, a.patience, a.minDelta, a.restoreBestWeights) ==
               std::tie(b.enabled, b.monitor, b.patience, b.minDelta, b.restoreBestWeights);
    }
    friend bool operator!=(const EarlyStoppingSettings& a, const EarlyStoppingSettings& b)
    {
        return !(a == b);
    }
};

// keras.callbacks.ReduceLROnPlateau ("reduce_lr_on_plateau")
struct ReduceLrOnPlateauSettings
{
    bool enabled = false;                         // "enabled"
    QString monitor = QStringLiteral("val_loss"); // "monitor"
    double factor = 0.1;                          // "factor": in (0, 1)
    int patience = 10;                            // "patience"
    double minDelta = 1e-4;                       // "min_delta"
    int cooldown = 0;                             // "cooldown"
    double minLr = 0;                             // "min_lr"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const ReduceLrOnPlateauSettings& a, const ReduceLrOnPlateauSettings& b)
    {
        return std::tie(a.enabled, a.monitor, a.factor, a.patience, a.minDelta, a.cooldown,
                        a.minLr) == std::tie(b.enabled, b.monitor, b.factor, b.patience, b.minDelta,
                                             b.cooldown, b.minLr);
    }
    friend bool operator!=(const ReduceLrOnPlateauSettings& a, const ReduceLrOnPlateauSettings& b)
    {
        return !(a == b);
    }
};

// keras.callbacks.ModelCheckpoint ("model_checkpoint"): which weights a run keeps.
struct ModelCheckpointSettings
{
    bool enabled = true;                          // "enabled"
    QString monitor = QStringLiteral("val_loss"); // "monitor"
    bool saveBestOnly = true;                     // "save_best_only"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const ModelCheckpointSettings& a, const ModelCheckpointSettings& b)
    {
        return std::tie(a.enabled, a.monitor, a.saveBestOnly) ==
               std::tie(b.enabled, b.monitor, b.saveBestOnly);
    }
    friend bool operator!=(const ModelCheckpointSettings& a, const ModelCheckpointSettings& b)
    {
        return !(a == b);
    }
};

// The callbacks of a run ("callbacks").
struct CallbackSettings
{
    EarlyStoppingSettings earlyStopping;
    ReduceLrOnPlateauSettings reduceLrOnPlateau;
    bool terminateOnNan = true; // "terminate_on_nan"
    ModelCheckpointSettings modelCheckpoint;

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const CallbackSettings& a, const CallbackSettings& b)
    {
        return std::tie(a.earlyStopping, a.reduceLrOnPlateau, a.terminateOnNan,
                        a.modelCheckpoint) ==
               std::tie(b.earlyStopping, b.reduceLrOnPlateau, b.terminateOnNan, b.modelCheckpoint);
    }
    friend bool operator!=(const CallbackSettings& a, const CallbackSettings& b)
    {
        return !(a == b);
    }
};

// Everything about a training run. The tutorial: Adam(lr=1e-3, decay=1e-3), batch 20.
struct TrainingSettings
{
    OptimizerSettings optimizer;                        // "optimizer"
    double learningRate = 1e-3;                         // "learning_rate"
    double decay = 0;                                   // "decay": lr / (1 + decay * iterations)
    double weightDecay = 0;                             // "weight_decay": L2 on kernels
    double labelSmoothing = 0;                          // "label_smoothing": in [0, 1)
    ClassWeighting classWeights = ClassWeighting::None; // "class_weights"
    int batchSize = 20;                                 // "batch_size"
    BatchNormStatistics batchNormStatistics = BatchNormStatistics::Recompute; // see above
    Precision precision = Precision::Float32;                                 // "precision"
    int epochs = 10;                                                          // "epochs"
    quint64 seed = 42;          // "seed": weights, shuffling, augmentation
    int threads = 0;            // "threads": 0 = all cores
    CallbackSettings callbacks; // "callbacks"

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const TrainingSettings& a, const TrainingSettings& b)
    {
        return std::tie(a.optimizer, a.learningRate, a.decay, a.weightDecay, a.labelSmoothing,
                        a.classWeights, a.batchSize, a.batchNormStatistics, a.precision, a.epochs,
                        a.seed, a.threads, a.callbacks) ==
               std::tie(b.optimizer, b.learningRate, b.decay, b.weightDecay, b.labelSmoothing,
                        b.classWeights, b.batchSize, b.batchNormStatistics, b.precision, b.epochs,
                        b.seed, b.threads, b.callbacks);
    }
    friend bool operator!=(const TrainingSettings& a, const TrainingSettings& b)
    {
        return !(a == b);
    }
};

} // namespace studio
