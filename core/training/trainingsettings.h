// How a network is trained: the project file's "training" section. Plain values with Keras's
// defaults; the JSON names (Keras's) are given beside each field.
#pragma once

#include <QString>

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

// keras.optimizers.Adam
struct AdamSettings
{
    double beta1 = 0.9;    // "beta_1"
    double beta2 = 0.999;  // "beta_2"
    double epsilon = 1e-7; // "epsilon"
    bool amsgrad = false;  // "amsgrad"
};

// keras.optimizers.SGD
struct SgdSettings
{
    double momentum = 0;   // "momentum"
    bool nesterov = false; // "nesterov"
};

// keras.optimizers.RMSprop
struct RmsPropSettings
{
    double rho = 0.9;      // "rho"
    double momentum = 0;   // "momentum"
    double epsilon = 1e-7; // "epsilon"
    bool centered = false; // "centered"
};

// The optimizer and its parameters ("optimizer": {"name": "adam", ...}); only the chosen
// optimizer's parameters are written to the project file.
struct OptimizerSettings
{
    OptimizerKind kind = OptimizerKind::Adam; // "name"
    AdamSettings adam;
    SgdSettings sgd;
    RmsPropSettings rmsprop;
};

// keras.callbacks.EarlyStopping ("early_stopping")
struct EarlyStoppingSettings
{
    bool enabled = false;                         // "enabled"
    QString monitor = QStringLiteral("val_loss"); // "monitor": see training/callbacks.h
    int patience = 5;                             // "patience": epochs without improvement
    double minDelta = 0;                          // "min_delta"
    bool restoreBestWeights = true;               // "restore_best_weights"
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
};

// keras.callbacks.ModelCheckpoint ("model_checkpoint"): which weights a run keeps.
struct ModelCheckpointSettings
{
    bool enabled = true;                          // "enabled"
    QString monitor = QStringLiteral("val_loss"); // "monitor"
    bool saveBestOnly = true;                     // "save_best_only"
};

// The callbacks of a run ("callbacks").
struct CallbackSettings
{
    EarlyStoppingSettings earlyStopping;
    ReduceLrOnPlateauSettings reduceLrOnPlateau;
    bool terminateOnNan = true; // "terminate_on_nan"
    ModelCheckpointSettings modelCheckpoint;
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
    int epochs = 10;                                                          // "epochs"
    quint64 seed = 42;          // "seed": weights, shuffling, augmentation
    int threads = 0;            // "threads": 0 = all cores
    CallbackSettings callbacks; // "callbacks"
};

} // namespace studio
