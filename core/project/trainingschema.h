// The rules of the project file's "training" settings: one SettingField per setting, the only
// place their ranges, names, defaults and labels are written.
#pragma once

#include "common/settingfield.h"

namespace studio {

// The "training" section's settings, its optimizer's and its callbacks'.
struct TrainingSchema
{
    // training.optimizer: the name, then each optimizer's parameters (only the chosen one's
    // are in the file, so two fields may share a path: SGD's and RMSprop's momentum).
    SettingField optimizer, adamBeta1, adamBeta2, adamEpsilon, adamAmsgrad, sgdMomentum,
        sgdNesterov, rmsRho, rmsMomentum, rmsEpsilon, rmsCentered;
    SettingField learningRate, decay, weightDecay, labelSmoothing, classWeights, batchSize,
        batchNormStatistics, precision, epochs, seed, threads;
    // training.callbacks
    SettingField earlyStopping, esMonitor, esPatience, esMinDelta, esRestoreBestWeights;
    SettingField reduceLr, rlMonitor, rlFactor, rlPatience, rlMinDelta, rlCooldown, rlMinLr;
    SettingField terminateOnNan, checkpoint, checkpointMonitor, checkpointSaveBestOnly;

    QVector<const SettingField*> all() const;
};

const TrainingSchema& trainingSchema();

// True for the monitor names the callbacks know: the monitor fields' names, and Keras's older
// "acc" and "val_acc".
bool isKnownMonitor(const QString& monitor);

} // namespace studio
