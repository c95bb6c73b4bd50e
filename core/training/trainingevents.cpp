#include "training/trainingevents.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace studio {

namespace {

// JSON has no NaN: a metric that does not exist (no validation split) is null.
QJsonValue metric(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

// Reads the fields of one event object back, keeping the first problem found. Missing
// optional fields get the defaults of the event structs.
class FieldReader
{
public:
    explicit FieldReader(const QJsonObject& object) : m_object(object) {}

    const QString& problem() const { return m_problem; }

    // A whole number >= 0; qint64 fields such as image and parameter counts.
    qint64 count(const QString& key, bool required = false)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined()) {
            if (required) {
                fail(QStringLiteral("without \"%1\"").arg(key));
            }
            return 0;
        }
        const qint64 number = value.toInteger(-1);
        if (!value.isDouble() || number < 0) {
            fail(QStringLiteral("whose \"%1\" is not a whole number of 0 or more").arg(key));
            return 0;
        }
        return number;
    }

    int integer(const QString& key, bool required = false)
    {
        const qint64 number = count(key, required);
        if (number > std::numeric_limits<int>::max()) {
            fail(QStringLiteral("whose \"%1\" is too large").arg(key));
            return 0;
        }
        return int(number);
    }

    // A 1-based epoch in JSON, 0-based in the event structs.
    int epoch(const QString& key)
    {
        const int number = integer(key, true);
        if (m_problem.isEmpty() && number < 1) {
            fail(QStringLiteral("whose \"%1\" is below 1").arg(key));
        }
        return number - 1;
    }

    double number(const QString& key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isUndefined() && !value.isDouble()) {
            fail(QStringLiteral("whose \"%1\" is not a number").arg(key));
        }
        return value.toDouble(0);
    }

    // null (or missing) is a metric that does not exist: NaN.
    double metric(const QString& key)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isDouble()) {
            return value.toDouble();
        }
        if (!value.isUndefined() && !value.isNull()) {
            fail(QStringLiteral("whose \"%1\" is not a number or null").arg(key));
        }
        return std::numeric_limits<double>::quiet_NaN();
    }

    bool boolean(const QString& key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isUndefined() && !value.isBool()) {
            fail(QStringLiteral("whose \"%1\" is not true or false").arg(key));
        }
        return value.toBool(false);
    }

    QString string(const QString& key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isUndefined() && !value.isString()) {
            fail(QStringLiteral("whose \"%1\" is not text").arg(key));
        }
        return value.toString();
    }

    QStringList strings(const QString& key)
    {
        const QJsonValue value = m_object.value(key);
        QStringList list;
        if (value.isUndefined()) {
            return list;
        }
        if (!value.isArray()) {
            fail(QStringLiteral("whose \"%1\" is not a list of texts").arg(key));
        }
        for (const QJsonValue& item : value.toArray()) {
            if (!item.isString()) {
                fail(QStringLiteral("whose \"%1\" is not a list of texts").arg(key));
            }
            list.append(item.toString());
        }
        return list;
    }

private:
    void fail(const QString& problem)
    {
        if (m_problem.isEmpty()) {
            m_problem = problem;
        }
    }

    const QJsonObject& m_object;
    QString m_problem;
};

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
            {QStringLiteral("warnings"), QJsonArray::fromStringList(event.warnings)},
            {QStringLiteral("notes"), QJsonArray::fromStringList(event.notes)},
            {QStringLiteral("system"), environmentToJson(event.environment)}};
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
                       {QStringLiteral("data_wait_seconds"), r.dataWaitSeconds},
                       {QStringLiteral("best"), event.isBest}};
    if (!event.warnings.isEmpty()) {
        object.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(event.warnings));
    }
    return object;
}

QJsonObject toJson(const AdviceEvent& event)
{
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("advice")},
                       {QStringLiteral("code"), event.code},
                       {QStringLiteral("message"), event.message}};
    if (event.epoch >= 0) {
        object.insert(QStringLiteral("epoch"), event.epoch + 1);
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
    if (!event.int8Check.isEmpty()) {
        object.insert(QStringLiteral("int8"), event.int8Check);
    }
    if (!event.rescuedRunDir.isEmpty()) {
        object.insert(QStringLiteral("rescued_run_dir"), event.rescuedRunDir);
    }
    return object;
}

Result<RunEvent> runEventFromJson(const QJsonObject& object)
{
    const QJsonValue nameValue = object.value(QStringLiteral("event"));
    if (!nameValue.isString()) {
        return Failure{QStringLiteral("an object without an \"event\" name")};
    }
    const QString name = nameValue.toString();
    FieldReader f(object);
    RunEvent event;
    if (name == QLatin1String("loading")) {
        event.kind = RunEvent::Kind::Loading;
        event.loading.done = f.count(QStringLiteral("done"), true);
        event.loading.total = f.count(QStringLiteral("total"), true);
    } else if (name == QLatin1String("started")) {
        event.kind = RunEvent::Kind::Started;
        RunStartedEvent& e = event.started;
        e.device = f.string(QStringLiteral("device"));
        e.threads = f.integer(QStringLiteral("threads"));
        e.trainImages = f.count(QStringLiteral("train_images"));
        e.validationImages = f.count(QStringLiteral("validation_images"));
        e.testImages = f.count(QStringLiteral("test_images"));
        e.parameters = f.count(QStringLiteral("parameters"));
        e.epochs = f.integer(QStringLiteral("epochs"), true);
        e.firstEpoch = f.epoch(QStringLiteral("first_epoch"));
        e.batchesPerEpoch = f.integer(QStringLiteral("batches_per_epoch"), true);
        e.warnings = f.strings(QStringLiteral("warnings"));
        e.notes = f.strings(QStringLiteral("notes"));
        e.environment = environmentFromJson(object.value(QStringLiteral("system")).toObject());
    } else if (name == QLatin1String("batch")) {
        event.kind = RunEvent::Kind::Batch;
        BatchEvent& e = event.batch;
        e.epoch = f.epoch(QStringLiteral("epoch"));
        e.batch = f.integer(QStringLiteral("batch"), true);
        e.batches = f.integer(QStringLiteral("batches"), true);
        e.loss = f.metric(QStringLiteral("loss"));
        e.accuracy = f.metric(QStringLiteral("accuracy"));
        e.imagesPerSecond = f.number(QStringLiteral("images_per_second"));
        e.etaSeconds = f.number(QStringLiteral("eta_seconds"));
    } else if (name == QLatin1String("epoch")) {
        event.kind = RunEvent::Kind::Epoch;
        EpochRecord& r = event.epoch.record;
        r.epoch = f.epoch(QStringLiteral("epoch"));
        r.metrics.loss = f.metric(QStringLiteral("loss"));
        r.metrics.accuracy = f.metric(QStringLiteral("accuracy"));
        r.metrics.valLoss = f.metric(QStringLiteral("val_loss"));
        r.metrics.valAccuracy = f.metric(QStringLiteral("val_accuracy"));
        r.learningRate = f.number(QStringLiteral("lr"));
        r.seconds = f.number(QStringLiteral("seconds"));
        r.imagesPerSecond = f.number(QStringLiteral("images_per_second"));
        if (object.contains(QStringLiteral("data_wait_seconds"))) {
            r.dataWaitSeconds = f.number(QStringLiteral("data_wait_seconds"));
        }
        event.epoch.isBest = f.boolean(QStringLiteral("best"));
        event.epoch.warnings = f.strings(QStringLiteral("warnings"));
    } else if (name == QLatin1String("advice")) {
        event.kind = RunEvent::Kind::Advice;
        AdviceEvent& e = event.advice;
        e.epoch = object.contains(QStringLiteral("epoch")) ? f.epoch(QStringLiteral("epoch")) : -1;
        e.code = f.string(QStringLiteral("code"));
        e.message = f.string(QStringLiteral("message"));
        if (e.code.isEmpty()) {
            return Failure{QStringLiteral("an \"advice\" event without a \"code\"")};
        }
    } else {
        const RunEndedEvent::Outcome outcomes[] = {RunEndedEvent::Outcome::Finished,
                                                   RunEndedEvent::Outcome::Stopped,
                                                   RunEndedEvent::Outcome::Failed};
        const auto outcome =
            std::find_if(std::begin(outcomes), std::end(outcomes),
                         [&](RunEndedEvent::Outcome o) { return outcomeName(o) == name; });
        if (outcome == std::end(outcomes)) {
            return Failure{QStringLiteral("an unknown event \"%1\"").arg(name)};
        }
        event.kind = RunEvent::Kind::Ended;
        RunEndedEvent& e = event.ended;
        e.outcome = *outcome;
        e.epochsDone = f.integer(QStringLiteral("epochs_done"), true);
        e.reason = f.string(QStringLiteral("reason"));
        e.bestEpoch = object.contains(QStringLiteral("best_epoch"))
                          ? f.epoch(QStringLiteral("best_epoch"))
                          : -1;
        e.modelPath = f.string(QStringLiteral("model"));
        e.testCount = f.integer(QStringLiteral("test_count"));
        e.testAccuracy = f.number(QStringLiteral("test_accuracy"));
        e.int8Check = f.string(QStringLiteral("int8"));
        e.rescuedRunDir = f.string(QStringLiteral("rescued_run_dir"));
    }
    if (!f.problem().isEmpty()) {
        return Failure{QStringLiteral("a \"%1\" event %2").arg(name, f.problem())};
    }
    return event;
}

} // namespace studio
