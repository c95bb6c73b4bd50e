// Private to core: everything one training run holds, shared by its set-up and its fit loop.
#pragma once

#include "dataset/channelstatistics.h"
#include "dataset/datasetindex.h"
#include "dataset/imagecache.h"
#include "project/project.h"
#include "training/checkpoint_p.h"
#include "training/distributed_p.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QHash>
#include <QStringList>

#include <memory>

namespace studio {

// Everything a run needs, set up before its first batch.
struct Session
{
    Project project;
    QString runDir;
    int totalEpochs = 0;
    std::unique_ptr<ImageCache> cache;
    DatasetIndex index;
    InputSpec spec;               // how images become the network's input, statistics included
    ChannelStatistics statistics; // standardize: measured on the training split, or read back
    torch::nn::Sequential module{nullptr};
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    torch::Device device{torch::kCPU};
    torch::MemoryFormat format = torch::MemoryFormat::Contiguous; // of parameters and batches
    int threads = 1;
    int batchEventIntervalMs = 100;
    qint64 parameters = 0;
    QStringList warnings; // for the user, before the run starts (e.g. a damaged checkpoint)
    QStringList notes;    // what was done before the run starts (layers copied from a model)
    RunState state;
    QString rescuedRunDir;             // where rescueRun() saved the run, when it had to
    QHash<QString, Split> splits;      // an explicit split (a cross-validation fold), if any
    DistributedGroup* group = nullptr; // the other processes of a distributed run, if any
    // Whether this process writes the run folder: rank 0 of a distributed run, or the only one.
    bool writer() const { return group == nullptr || group->rank() == 0; }
    int processes() const { return group == nullptr ? 1 : group->worldSize(); }
    // The path of `name` (one of runfiles) in the run folder.
    QString runFile(const QString& name) const;
};

// When the run folder cannot be written (disk full, read-only, gone), writes the run so far
// (project, history, full checkpoint) to a new folder in the temporary directory, so that no
// epoch is lost; returns the message for the user, with the command that continues it.
QString rescueRun(Session& s, const RunState& state, const QString& error);

} // namespace studio
