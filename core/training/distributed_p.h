// Private to core: one process's part in a data-parallel run on PyTorch's c10d (TCPStore
// rendezvous, Gloo collectives on CPU).
#pragma once

#include "common/result.h"
#include "training/trainer.h"

#include <torch/types.h>

#include <QByteArray>

#include <memory>
#include <stdexcept>
#include <vector>

namespace studio {

// A collective failed: a rank died, hung past the timeout or cannot be reached. what() is the
// message for people, naming this rank, the lost one when known, and the master's address.
class DistributedError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// The processes of one distributed run, seen from one of them. Every collective is called by
// every rank in the same order; a failure throws DistributedError.
class DistributedGroup
{
public:
    // Meets the other ranks at the master's TCPStore (rank 0 hosts it) and forms the Gloo group.
    // Failure: the master cannot be reached, or not every rank came within the timeout.
    static Result<std::unique_ptr<DistributedGroup>> join(const DistributedOptions& options);
    ~DistributedGroup();

    int rank() const { return m_options.rank; }
    int worldSize() const { return m_options.worldSize; }
    // "rank 1 of 2 (master 10.0.0.1:29500)"
    QString describe() const;

    // Copies rank 0's tensors into every rank's (in place), as one flat message.
    void broadcast(const std::vector<torch::Tensor>& tensors);
    // Averages the gradients of `parameters` over the ranks, in buckets of about 25 MB, and sums
    // `flags` (small counts such as "stop requested") over the ranks in the same messages.
    // Returns the summed flags.
    std::vector<double> averageGradients(const std::vector<torch::Tensor>& parameters,
                                         const std::vector<double>& flags);
    // Replaces every rank's tensors (in place) by their element-wise mean over the ranks.
    void average(const std::vector<torch::Tensor>& tensors);
    // Element-wise sums of `values` over the ranks (in double precision).
    std::vector<double> sum(const std::vector<double>& values);

    // Every rank says whether it is ready (`local`) and what it trains on (`fingerprint`: data
    // and network). Failure when any rank failed, naming it, or when a rank's fingerprint
    // differs from rank 0's; then every rank fails alike.
    Status agree(const Status& local, const QString& fingerprint);
    // Rank 0 publishes bytes under `key`; the others wait for them.
    void publish(const QString& key, const QByteArray& bytes);
    QByteArray fetch(const QString& key);

    // A collective's exception as a DistributedError message for people.
    QString lostContact(const std::exception& error) const;

private:
    explicit DistributedGroup(const DistributedOptions& options);

    struct Impl; // the c10d store and process group
    DistributedOptions m_options;
    std::unique_ptr<Impl> m_impl;
    int m_agreements = 0; // agree() calls so far: keys of each call are unique
};

} // namespace studio
