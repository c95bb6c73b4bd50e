#include "training/stepsync_p.h"

#include "training/distributed_p.h"

namespace studio {

namespace {

// A run alone: nothing to agree on.
class LocalStepSync : public StepSync
{
public:
    int rank() const override { return 0; }
    int processes() const override { return 1; }
    QString describe() const override { return QString(); }
    bool stopsBeforeStep() const override { return true; }
    bool skipsEmptyBatches() const override { return true; }
    StepFlags backward(const torch::Tensor& loss, const std::vector<torch::Tensor>&,
                       StepFlags local) override
    {
        if (loss.defined()) {
            loss.backward();
        }
        return local;
    }
    void average(const std::vector<torch::Tensor>&) override {}
    void sumEpochTotals(PassTotals*, PassTotals*) override {}
    void shareRunningSums(double*, double*, double*) override {}
};

// One process of a distributed run: gradients, flags and sums go over the group.
class DistributedStepSync : public StepSync
{
public:
    explicit DistributedStepSync(DistributedGroup& group) : m_group(group) {}
    int rank() const override { return m_group.rank(); }
    int processes() const override { return m_group.worldSize(); }
    QString describe() const override { return m_group.describe(); }
    bool stopsBeforeStep() const override { return false; }
    bool skipsEmptyBatches() const override { return false; }
    StepFlags backward(const torch::Tensor& loss, const std::vector<torch::Tensor>& parameters,
                       StepFlags local) override
    {
        if (loss.defined()) {
            loss.backward();
        }
        // The gradients are averaged over the processes; the same messages carry "a process
        // asked to stop" and "a process saw a non-finite loss".
        const std::vector<double> flags = m_group.averageGradients(
            parameters, {local.stopRequested ? 1.0 : 0.0, local.lossFinite ? 0.0 : 1.0});
        return {flags[0] > 0, flags[1] == 0};
    }
    void average(const std::vector<torch::Tensor>& tensors) override { m_group.average(tensors); }
    void sumEpochTotals(PassTotals* trained, PassTotals* validation) override;
    void shareRunningSums(double* lossSum, double* correct, double* seen) override
    {
        const std::vector<double> sums = m_group.sum({*lossSum, *correct, *seen});
        *lossSum = sums[0] / processes();
        *correct = sums[1] / processes();
        *seen = sums[2] / processes();
    }

private:
    DistributedGroup& m_group;
};

void DistributedStepSync::sumEpochTotals(PassTotals* trained, PassTotals* validation)
{
    std::vector<double> values = {trained->lossSum,    trained->correct,    trained->seen,
                                  validation->lossSum, validation->correct, validation->seen};
    values.insert(values.end(), validation->seenPerClass.begin(), validation->seenPerClass.end());
    values.insert(values.end(), validation->correctPerClass.begin(),
                  validation->correctPerClass.end());
    const std::vector<double> sums = m_group.sum(values);
    const size_t classes = validation->seenPerClass.size();
    *trained = {sums[0], sums[1], sums[2], {}, {}};
    *validation = {sums[3], sums[4], sums[5],
                   std::vector<double>(sums.begin() + 6, sums.begin() + 6 + long(classes)),
                   std::vector<double>(sums.begin() + 6 + long(classes), sums.end())};
}

} // namespace

std::unique_ptr<StepSync> makeStepSync(DistributedGroup* group)
{
    if (group == nullptr) {
        return std::make_unique<LocalStepSync>();
    }
    return std::make_unique<DistributedStepSync>(*group);
}

} // namespace studio
