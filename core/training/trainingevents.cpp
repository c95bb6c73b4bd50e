#include "training/trainingevents.h"

#include <QJsonArray>

#include <cmath>

namespace studio {

namespace {

// JSON has no NaN: a metric that does not exist (no validation split) is null.
QJsonValue metric(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString outcomeName(RunEndedEvent::Outcome outcome)
{
    switch (outcome) {
    case RunEndedEvent::Outcome::Finished:
        return QStringLiteral("finished");
    case RunEndedEvent::Outcome::Stopped:
        return QStringLiteral("stopped");
    case RunEndedEvent::Outcome::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("failed");
}

QJsonObject toJson(const LoadingEvent& event)
{
    return {{QStringLiteral("event"), QStringLiteral("loading")},
            {QStringLiteral("done"), event.done},
            {QStringLiteral("total"), event.total}};
}

QJsonObject toJson(const RunStartedEvent& event)
{
    return {{QStringLiteral("event"), QStringLiteral("started")},
            {QStringLiteral("device"), event.device},
            {QStringLiteral("threads"), event.threads},
            {QStringLiteral("train_images"), event.trainImages},
            {QStringLiteral("validation_images"), event.validationImages},
            {QStringLiteral("test_images"), event.testImages},
            {QStringLiteral("parameters"), event.parameters},
            {QStringLiteral("epochs"), event.epochs},
            {QStringLiteral("first_epoch"), event.firstEpoch + 1},
            {QStringLiteral("batches_per_epoch"), event.batchesPerEpoch},
            {QStringLiteral("processes"), event.processes},
            {QStringLiteral("warnings"), QJsonArray::fromStringList(event.warnings)}};
}

QJsonObject toJson(const BatchEvent& event)
{
    return {{QStringLiteral("event"), QStringLiteral("batch")},
            {QStringLiteral("epoch"), event.epoch + 1},
            {QStringLiteral("batch"), event.batch},
            {QStringLiteral("batches"), event.batches},
            {QStringLiteral("loss"), metric(event.loss)},
            {QStringLiteral("accuracy"), metric(event.accuracy)},
            {QStringLiteral("images_per_second"), event.imagesPerSecond},
            {QStringLiteral("eta_seconds"), event.etaSeconds}};
}

QJsonObject toJson(const EpochEvent& event)
{
    const EpochRecord& r = event.record;
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("epoch")},
                       {QStringLiteral("epoch"), r.epoch + 1},
                       {QStringLiteral("loss"), metric(r.metrics.loss)},
                       {QStringLiteral("accuracy"), metric(r.metrics.accuracy)},
                       {QStringLiteral("val_loss"), metric(r.metrics.valLoss)},
                       {QStringLiteral("val_accuracy"), metric(r.metrics.valAccuracy)},
                       {QStringLiteral("lr"), r.learningRate},
                       {QStringLiteral("seconds"), r.seconds},
                       {QStringLiteral("images_per_second"), r.imagesPerSecond},
                       {QStringLiteral("best"), event.isBest}};
    if (!event.warnings.isEmpty()) {
        object.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(event.warnings));
    }
    return object;
}

QJsonObject toJson(const RunEndedEvent& event)
{
    QJsonObject object{{QStringLiteral("event"), outcomeName(event.outcome)},
                       {QStringLiteral("epochs_done"), event.epochsDone}};
    if (!event.reason.isEmpty()) {
        object.insert(QStringLiteral("reason"), event.reason);
    }
    if (event.bestEpoch >= 0) {
        object.insert(QStringLiteral("best_epoch"), event.bestEpoch + 1);
    }
    if (!event.modelPath.isEmpty()) {
        object.insert(QStringLiteral("model"), event.modelPath);
    }
    if (event.testCount > 0) {
        object.insert(QStringLiteral("test_count"), event.testCount);
        object.insert(QStringLiteral("test_accuracy"), event.testAccuracy);
    }
    if (!event.rescuedRunDir.isEmpty()) {
        object.insert(QStringLiteral("rescued_run_dir"), event.rescuedRunDir);
    }
    return object;
}

} // namespace studio
