// Private to core: how a training process keeps in step with the other processes of its run.
#pragma once

#include <torch/types.h>

#include <QString>

#include <memory>
#include <vector>

namespace studio {

class DistributedGroup;

// Sums of one pass over a split.
struct PassTotals
{
    double lossSum = 0;
    double correct = 0;
    double seen = 0;
    std::vector<double> seenPerClass;    // images of each class
    std::vector<double> correctPerClass; // of them classified correctly
};

// What the processes of a run learn from each other after a training step.
struct StepFlags
{
    bool stopRequested = false; // some process was asked to stop
    bool lossFinite = true;     // every process's loss was a number
};

// The places where a run alone and one process of a distributed run differ, for the fit loop:
// LocalStepSync does each alone, DistributedStepSync with the other processes.
class StepSync
{
public:
    virtual ~StepSync() = default;
    virtual int rank() const = 0;
    virtual int processes() const = 0;
    // "rank 1 of 2 (master 10.0.0.1:29500)"; empty for a run alone.
    virtual QString describe() const = 0;
    // Alone, a stop request ends the epoch before the next step and a batch whose images were
    // all unreadable is skipped; distributed, every process takes every step and all of them
    // stop after the step in which any of them asked.
    virtual bool stopsBeforeStep() const = 0;
    virtual bool skipsEmptyBatches() const = 0;
    // Computes the gradients of `loss` (undefined: this process's batch was empty) and makes
    // them the run's gradients; returns the run's flags from this process's `local` ones.
    virtual StepFlags backward(const torch::Tensor& loss,
                               const std::vector<torch::Tensor>& parameters, StepFlags local) = 0;
    // Replaces `tensors` (BatchNormalization statistics) by their mean over the processes.
    virtual void average(const std::vector<torch::Tensor>& tensors) = 0;
    // The epoch's training and validation totals (per class too) of the whole run.
    virtual void sumEpochTotals(PassTotals* trained, PassTotals* validation) = 0;
    // A stopped epoch's running sums as this process keeps them: every process resumes from
    // rank 0's checkpoint, so each keeps its share of the run's sums.
    virtual void shareRunningSums(double* lossSum, double* correct, double* seen) = 0;
};

// LocalStepSync without a group, DistributedStepSync over `group` (not owned) with one.
std::unique_ptr<StepSync> makeStepSync(DistributedGroup* group);

} // namespace studio
