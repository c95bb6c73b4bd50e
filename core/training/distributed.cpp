// DistributedGroup: c10d's TCPStore and ProcessGroupGloo behind a small, message-friendly API.
#include "training/distributed_p.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace studio {

struct DistributedGroup::Impl
{
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

QString firstLine(const std::exception& error)
{
    return QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

std::vector<uint8_t> toBytes(const QByteArray& bytes)
{
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

QByteArray fromBytes(const std::vector<uint8_t>& bytes)
{
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

bool isLoopback(const QString& host)
{
    return host == QLatin1String("localhost") || host.startsWith(QLatin1String("127.")) ||
           host == QLatin1String("::1");
}

// The network device Gloo talks through: GLOO_SOCKET_IFNAME when set (as PyTorch reads it),
// the loopback when the master is on this machine, else the address this host's name resolves
// to (PyTorch's default).
std::shared_ptr<gloo::transport::Device> glooDevice(const DistributedOptions& options)
{
    const QByteArray interface = qgetenv("GLOO_SOCKET_IFNAME");
    if (!interface.isEmpty()) {
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface.toStdString());
    }
    if (isLoopback(options.masterAddress)) {
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    }
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

} // namespace

DistributedGroup::DistributedGroup(const DistributedOptions& options)
    : m_options(options), m_impl(std::make_unique<Impl>())
{}

DistributedGroup::~DistributedGroup() = default;

QString DistributedGroup::describe() const
{
    return QStringLiteral("rank %1 of %2 (master %3:%4)")
        .arg(m_options.rank)
        .arg(m_options.worldSize)
        .arg(m_options.masterAddress)
        .arg(m_options.masterPort);
}

Result<std::unique_ptr<DistributedGroup>> DistributedGroup::join(const DistributedOptions& options)
{
    if (options.worldSize < 2 || options.rank < 0 || options.rank >= options.worldSize) {
        return Failure{QStringLiteral("The rank must be between 0 and the world size minus one "
                                      "(world size %1, rank %2).")
                           .arg(options.worldSize)
                           .arg(options.rank)};
    }
    if (options.masterAddress.isEmpty() || options.masterPort <= 0 || options.masterPort > 65535) {
        return Failure{QStringLiteral("A distributed run needs the master's address and port "
                                      "(--master HOST:PORT, or MASTER_ADDR and MASTER_PORT).")};
    }
    std::unique_ptr<DistributedGroup> group(new DistributedGroup(options));
    const std::chrono::milliseconds timeout(qint64(std::max(1, options.timeoutSeconds)) * 1000);
    const QString master =
        QStringLiteral("%1:%2").arg(options.masterAddress).arg(options.masterPort);
    try {
        c10d::TCPStoreOptions store;
        store.port = std::uint16_t(options.masterPort);
        store.isServer = options.rank == 0;
        store.numWorkers = std::size_t(options.worldSize);
        store.waitWorkers = true;
        store.timeout = timeout;
        group->m_impl->store =
            c10::make_intrusive<c10d::TCPStore>(options.masterAddress.toStdString(), store);
    } catch (const std::exception& error) {
        if (options.rank == 0) {
            return Failure{QStringLiteral("Rank 0 could not gather the %1 ranks at %2 within %3 s "
                                          "(%4). Start every rank with the same --world-size and "
                                          "--master, check that port %5 is free on this machine "
                                          "and open in its firewall.")
                               .arg(options.worldSize)
                               .arg(master)
                               .arg(options.timeoutSeconds)
                               .arg(firstLine(error))
                               .arg(options.masterPort)};
        }
        return Failure{QStringLiteral("Rank %1 could not reach rank 0 at %2 within %3 s (%4). "
                                      "Start rank 0 on that machine, and check the address, "
                                      "the port and the firewall.")
                           .arg(options.rank)
                           .arg(master)
                           .arg(options.timeoutSeconds)
                           .arg(firstLine(error))};
    }
    try {
        group->m_impl->store->setTimeout(timeout);
        auto gloo = c10d::ProcessGroupGloo::Options::create();
        gloo->timeout = timeout;
        gloo->devices.push_back(glooDevice(options));
        gloo->threads = 1;
        group->m_impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            group->m_impl->store, options.rank, options.worldSize, gloo);
    } catch (const std::exception& error) {
        return Failure{QStringLiteral("Rank %1 met rank 0 at %2 but could not connect to every "
                                      "other rank (%3). Check that the machines can reach each "
                                      "other on all ports, or name the network interface in "
                                      "GLOO_SOCKET_IFNAME.")
                           .arg(options.rank)
                           .arg(master)
                           .arg(firstLine(error))};
    }
    return group;
}

QString DistributedGroup::lostContact(const std::exception& error) const
{
    const QString peer = m_options.worldSize == 2
                             ? QStringLiteral("rank %1").arg(1 - m_options.rank)
                             : QStringLiteral("another rank");
    return QStringLiteral("The distributed run lost %1: it stopped, or did not answer within "
                          "%2 s (%3). This process is %4 and stops too. The last checkpoint, "
                          "written by rank 0, is intact: start every rank again with "
                          "'classifier-cli resume RUN_DIR' and the same --world-size and "
                          "--master.")
        .arg(peer)
        .arg(m_options.timeoutSeconds)
        .arg(firstLine(error))
        .arg(describe());
}

namespace {

// The tensors as one float32 message, and back.
torch::Tensor flatten(const std::vector<torch::Tensor>& tensors)
{
    std::vector<torch::Tensor> parts;
    parts.reserve(tensors.size());
    for (const torch::Tensor& tensor : tensors) {
        parts.push_back(tensor.detach().reshape(-1).to(torch::kFloat));
    }
    return torch::cat(parts);
}

void unflatten(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors)
{
    int64_t offset = 0;
    for (const torch::Tensor& tensor : tensors) {
        const int64_t n = tensor.numel();
        torch::Tensor target = tensor.detach();
        target.copy_(flat.narrow(0, offset, n).view(tensor.sizes()));
        offset += n;
    }
}

} // namespace

void DistributedGroup::broadcast(const std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> flat{flatten(tensors)};
    try {
        m_impl->group->broadcast(flat)->wait();
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
    unflatten(flat[0], tensors);
}

void DistributedGroup::average(const std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> flat{flatten(tensors)};
    try {
        m_impl->group->allreduce(flat)->wait();
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
    unflatten(flat[0] / double(worldSize()), tensors);
}

std::vector<double> DistributedGroup::averageGradients(const std::vector<torch::Tensor>& parameters,
                                                       const std::vector<double>& flags)
{
    torch::NoGradGuard noGrad;
    // Buckets of about 25 MB, as PyTorch's DistributedDataParallel makes them: few enough
    // messages for the latency, small enough to pipeline.
    constexpr int64_t bucketElements = (25 << 20) / int64_t(sizeof(float));
    std::vector<std::vector<size_t>> buckets(1);
    int64_t filled = 0;
    for (size_t i = 0; i < parameters.size(); ++i) {
        const int64_t n = parameters[i].numel();
        if (filled > 0 && filled + n > bucketElements) {
            buckets.emplace_back();
            filled = 0;
        }
        buckets.back().push_back(i);
        filled += n;
    }
    std::vector<std::vector<torch::Tensor>> flats(buckets.size());
    for (size_t b = 0; b < buckets.size(); ++b) {
        std::vector<torch::Tensor> parts;
        for (const size_t i : buckets[b]) {
            const torch::Tensor& grad = parameters[i].grad();
            parts.push_back(grad.defined() ? grad.reshape(-1)
                                           : torch::zeros({parameters[i].numel()}));
        }
        if (b + 1 == buckets.size()) {
            std::vector<float> values(flags.begin(), flags.end());
            parts.push_back(torch::tensor(values, torch::kFloat));
        }
        flats[b].push_back(torch::cat(parts));
    }
    try {
        std::vector<c10::intrusive_ptr<c10d::Work>> works;
        for (std::vector<torch::Tensor>& flat : flats) {
            works.push_back(m_impl->group->allreduce(flat));
        }
        for (const c10::intrusive_ptr<c10d::Work>& work : works) {
            work->wait();
        }
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
    const float scale = 1.0F / float(m_options.worldSize);
    for (size_t b = 0; b < buckets.size(); ++b) {
        const torch::Tensor& flat = flats[b][0];
        int64_t offset = 0;
        for (const size_t i : buckets[b]) {
            torch::Tensor parameter = parameters[i];
            const int64_t n = parameter.numel();
            const torch::Tensor averaged =
                flat.narrow(0, offset, n).view(parameter.sizes()).mul(scale);
            if (parameter.grad().defined()) {
                parameter.mutable_grad().copy_(averaged);
            } else {
                parameter.mutable_grad() = averaged.clone();
            }
            offset += n;
        }
    }
    std::vector<double> summed(flags.size());
    const torch::Tensor tail = flats.back()[0].narrow(
        0, flats.back()[0].numel() - int64_t(flags.size()), int64_t(flags.size()));
    for (size_t i = 0; i < flags.size(); ++i) {
        summed[i] = double(tail[int64_t(i)].item<float>());
    }
    return summed;
}

std::vector<double> DistributedGroup::sum(const std::vector<double>& values)
{
    std::vector<torch::Tensor> tensor{torch::tensor(values, torch::kDouble)};
    try {
        m_impl->group->allreduce(tensor)->wait();
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
    const torch::Tensor& summed = tensor[0];
    std::vector<double> result(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        result[i] = summed[int64_t(i)].item<double>();
    }
    return result;
}

void DistributedGroup::publish(const QString& key, const QByteArray& bytes)
{
    try {
        m_impl->store->set(key.toStdString(), toBytes(bytes));
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
}

QByteArray DistributedGroup::fetch(const QString& key)
{
    try {
        return fromBytes(m_impl->store->get(key.toStdString()));
    } catch (const std::exception& error) {
        throw DistributedError(lostContact(error).toStdString());
    }
}

Status DistributedGroup::agree(const Status& local, const QString& fingerprint)
{
    const QString prefix = QStringLiteral("agree/%1/").arg(++m_agreements);
    QVector<QString> said(m_options.worldSize);
    try {
        publish(prefix + QString::number(rank()), (local ? QStringLiteral("ok\n") + fingerprint
                                                         : QStringLiteral("fail\n") + local.error())
                                                      .toUtf8());
        for (int r = 0; r < worldSize(); ++r) {
            said[r] = QString::fromUtf8(fetch(prefix + QString::number(r)));
        }
        // Rank 0 hosts the store: nobody leaves (possibly ending rank 0) before all have read.
        const std::string read = (prefix + QStringLiteral("read")).toStdString();
        const std::string done = (prefix + QStringLiteral("done")).toStdString();
        if (m_impl->store->add(read, 1) == worldSize()) {
            m_impl->store->set(done, std::vector<uint8_t>{1});
        }
        m_impl->store->wait({done});
    } catch (const std::exception& error) {
        return Failure{QString::fromUtf8(error.what())};
    }
    if (!local) {
        return local;
    }
    const QString expected = said[0].section(QLatin1Char('\n'), 1);
    for (int r = 0; r < worldSize(); ++r) {
        const QString status = said[r].section(QLatin1Char('\n'), 0, 0);
        const QString detail = said[r].section(QLatin1Char('\n'), 1);
        if (status != QLatin1String("ok")) {
            return Failure{QStringLiteral("Rank %1 of the distributed run could not start: %2")
                               .arg(r)
                               .arg(detail)};
        }
        if (detail != expected) {
            return Failure{QStringLiteral("Rank %1 trains on something else than rank 0 (rank 0: "
                                          "%2; rank %1: %3). Every rank needs the same dataset "
                                          "files and the same project settings.")
                               .arg(r)
                               .arg(expected, detail)};
        }
    }
    return {};
}

} // namespace studio
