// Private to core: reading and writing training checkpoints (weights, optimizer state and the
// run state needed to continue a run exactly).
#pragma once

#include "common/result.h"
#include "training/callbacks.h"
#include "training/history.h"

#include <torch/nn.h>
#include <torch/optim.h>

namespace studio {

// Everything a checkpoint holds besides the module and the optimizer.
struct RunState
{
    int epoch = 0;               // the epoch in progress (0-based)
    int batchesDone = 0;         // batches of `epoch` already trained (0: at an epoch boundary)
    qint64 iterations = 0;       // optimizer steps so far (the Keras decay counts them)
    double baseLearningRate = 0; // after ReduceLROnPlateau, before decay
    double lossSum = 0;          // the epoch in progress so far: sum of per-image losses
    double correct = 0;          //   correctly classified images
    double seen = 0;             //   images
    double trainSeconds = 0;     //   seconds spent
    EarlyStopping::State earlyStopping{std::numeric_limits<double>::quiet_NaN(), -1, 0};
    ReduceLROnPlateau::State plateau{std::numeric_limits<double>::quiet_NaN(), 0, 0};
    double bestMonitored = std::numeric_limits<double>::quiet_NaN(); // ModelCheckpoint's best
    int bestEpoch = -1;
    History history;
    torch::Tensor rngState; // torch's CPU generator (dropout)
};

// Writes a checkpoint atomically (temporary file, then rename): an 8-byte magic, the SHA-256
// of the payload, then the payload (a LibTorch archive).
Status saveCheckpoint(const QString& path, torch::nn::Module& module,
                      torch::optim::Optimizer* optimizer, const RunState& state);

// Checks that `path` is a whole checkpoint (its checksum matches) without loading it. Files
// written before checksums existed (a bare archive) pass. Failure: missing, cut short, changed.
Status verifyCheckpoint(const QString& path);

// Keeps the current checkpoint at `path` as `previous` (replacing it) before a new one is
// written to `path`, so that a damaged new file still leaves one good checkpoint behind.
void keepAsPrevious(const QString& path, const QString& previous);

// Reads a checkpoint into module (and optimizer and state, when given). A missing, damaged or
// foreign file, or one made for another layer stack, is a Failure naming the file.
Status loadCheckpoint(const QString& path, torch::nn::Module& module,
                      torch::optim::Optimizer* optimizer, RunState* state);

} // namespace studio
