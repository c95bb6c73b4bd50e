#include "training/checkpoint_p.h"

#include "common/atomicfile.h"
#include "common/nativepath.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>

#include <QCryptographicHash>
#include <QFile>

#include <sstream>

namespace studio {

namespace {

const char* const kFormat = "classifier-studio-checkpoint-1";
// The file: kMagic, then the SHA-256 of the payload (32 bytes), then the payload.
const QByteArray kMagic = QByteArrayLiteral("CSCKPT\x00\x01");
constexpr int kHashSize = 32;

torch::Tensor scalar(double value)
{
    return torch::tensor(value, torch::kFloat64);
}
torch::Tensor integer(qint64 value)
{
    return torch::tensor(int64_t(value), torch::kInt64);
}

torch::Tensor bytesTensor(const QByteArray& bytes)
{
    return torch::from_blob(const_cast<char*>(bytes.constData()), {qint64(bytes.size())},
                            torch::kUInt8)
        .clone();
}

QByteArray tensorBytes(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.contiguous();
    return QByteArray(static_cast<const char*>(t.data_ptr()), int(t.numel()));
}

double readDouble(torch::serialize::InputArchive& archive, const char* key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t.item<double>();
}

qint64 readInt(torch::serialize::InputArchive& archive, const char* key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t.item<int64_t>();
}

// The payload of a checkpoint file's bytes, or a Failure when they are not a whole checkpoint.
Result<QByteArray> payloadOf(const QString& path, const QByteArray& content)
{
    if (content.startsWith(kMagic)) {
        const int header = int(kMagic.size()) + kHashSize;
        if (content.size() >= header) {
            QByteArray payload = content.mid(header);
            if (QCryptographicHash::hash(payload, QCryptographicHash::Sha256) ==
                content.mid(kMagic.size(), kHashSize)) {
                return payload;
            }
        }
        return Failure{QStringLiteral("The checkpoint '%1' is damaged: its checksum does not "
                                      "match (the file was cut short or changed after it was "
                                      "written).")
                           .arg(native(path))};
    }
    if (content.startsWith("PK")) {
        return content; // written before checkpoints had a checksum
    }
    return Failure{
        QStringLiteral("'%1' is not a Classifier Studio checkpoint%2.")
            .arg(native(path), content.isEmpty() ? QStringLiteral(" (it is empty)") : QString())};
}

// The verified payload of the checkpoint file at `path`.
Result<QByteArray> readPayload(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Cannot open the checkpoint '%1': %2.")
                           .arg(native(path), file.errorString())};
    }
    return payloadOf(path, file.readAll());
}

} // namespace

Status verifyCheckpoint(const QString& path)
{
    const Result<QByteArray> payload = readPayload(path);
    if (!payload) {
        return Failure{payload.error()};
    }
    return {};
}

void keepAsPrevious(const QString& path, const QString& previous)
{
    if (QFile::exists(path)) {
        QFile::remove(previous);
        QFile::rename(path, previous);
    }
}

Status saveCheckpoint(const QString& path, torch::nn::Module& module,
                      torch::optim::Optimizer* optimizer, const RunState& state)
{
    std::ostringstream stream;
    try {
        torch::serialize::OutputArchive archive;
        archive.write("format", bytesTensor(QByteArray(kFormat)));
        torch::serialize::OutputArchive modelArchive;
        module.save(modelArchive);
        archive.write("model", modelArchive);
        if (optimizer != nullptr) {
            torch::serialize::OutputArchive optimizerArchive;
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        archive.write("epoch", integer(state.epoch));
        archive.write("batches_done", integer(state.batchesDone));
        archive.write("iterations", integer(state.iterations));
        archive.write("base_lr", scalar(state.baseLearningRate));
        archive.write("loss_sum", scalar(state.lossSum));
        archive.write("correct", scalar(state.correct));
        archive.write("seen", scalar(state.seen));
        archive.write("train_seconds", scalar(state.trainSeconds));
        archive.write("early_best", scalar(state.earlyStopping.best));
        archive.write("early_best_epoch", integer(state.earlyStopping.bestEpoch));
        archive.write("early_wait", integer(state.earlyStopping.wait));
        archive.write("plateau_best", scalar(state.plateau.best));
        archive.write("plateau_wait", integer(state.plateau.wait));
        archive.write("plateau_cooldown", integer(state.plateau.cooldownCounter));
        archive.write("best_monitored", scalar(state.bestMonitored));
        archive.write("best_epoch", integer(state.bestEpoch));
        archive.write("history", bytesTensor(state.history.toCsv()));
        if (state.rngState.defined()) {
            archive.write("rng", state.rngState);
        }
        archive.save_to(stream);
    } catch (const std::exception& error) {
        return Failure{QStringLiteral("Cannot serialise the checkpoint '%1': %2")
                           .arg(native(path), QString::fromUtf8(error.what()))};
    }
    const std::string bytes = stream.str();
    const QByteArray payload = QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()));
    return writeFileAtomically(
        path, kMagic + QCryptographicHash::hash(payload, QCryptographicHash::Sha256) + payload);
}

Status loadCheckpoint(const QString& path, torch::nn::Module& module,
                      torch::optim::Optimizer* optimizer, RunState* state)
{
    const Result<QByteArray> payload = readPayload(path);
    if (!payload) {
        return Failure{payload.error()};
    }
    const QByteArray& content = *payload;
    try {
        std::istringstream stream(std::string(content.constData(), size_t(content.size())));
        torch::serialize::InputArchive archive;
        archive.load_from(stream);
        torch::Tensor format;
        if (!archive.try_read("format", format) || tensorBytes(format) != QByteArray(kFormat)) {
            return Failure{
                QStringLiteral("'%1' is not a Classifier Studio checkpoint.").arg(native(path))};
        }
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        module.load(modelArchive);
        if (optimizer != nullptr) {
            torch::serialize::InputArchive optimizerArchive;
            if (archive.try_read("optimizer", optimizerArchive)) {
                optimizer->load(optimizerArchive);
            }
        }
        if (state != nullptr) {
            state->epoch = int(readInt(archive, "epoch"));
            state->batchesDone = int(readInt(archive, "batches_done"));
            state->iterations = readInt(archive, "iterations");
            state->baseLearningRate = readDouble(archive, "base_lr");
            state->lossSum = readDouble(archive, "loss_sum");
            state->correct = readDouble(archive, "correct");
            state->seen = readDouble(archive, "seen");
            state->trainSeconds = readDouble(archive, "train_seconds");
            state->earlyStopping = {readDouble(archive, "early_best"),
                                    int(readInt(archive, "early_best_epoch")),
                                    int(readInt(archive, "early_wait"))};
            state->plateau = {readDouble(archive, "plateau_best"),
                              int(readInt(archive, "plateau_wait")),
                              int(readInt(archive, "plateau_cooldown"))};
            state->bestMonitored = readDouble(archive, "best_monitored");
            state->bestEpoch = int(readInt(archive, "best_epoch"));
            torch::Tensor history;
            archive.read("history", history);
            Result<History> parsed = History::fromCsv(tensorBytes(history), path);
            if (!parsed) {
                return Failure{parsed.error()};
            }
            state->history = std::move(*parsed);
            torch::Tensor rng;
            if (archive.try_read("rng", rng)) {
                state->rngState = rng;
            }
        }
    } catch (const std::exception& error) {
        QString reason = QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0);
        return Failure{QStringLiteral("The checkpoint '%1' is damaged or belongs to another "
                                      "layer stack (%2). Use another checkpoint or start a new "
                                      "run.")
                           .arg(native(path), reason)};
    }
    return {};
}

} // namespace studio
