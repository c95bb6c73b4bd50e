#include "project/project.h"

#include "common/atomicfile.h"
#include "dataset/datasetschema.h"
#include "model/jsonfields.h"
#include "model/modeltemplates.h"
#include "project/readablejson.h"
#include "project/trainingschema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <cmath>
#include <functional>
#include <limits>

namespace studio {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;
constexpr int kIntMax = std::numeric_limits<int>::max();

// The file's name of an enum value: the field's choices are in the enum's order.
template <typename E> QString choiceName(const SettingField& field, E value)
{
    return field.choices.value(int(value)).name;
}

// Reads the field's value from its key with the field's range (or names), leaving *out as it
// is when the key is absent; the overloads follow the C++ type of the setting.
bool readSetting(JsonObjectReader& reader, const SettingField& field, int* out)
{
    return reader.readInt(field.key, out, int(field.formMinimum()), int(field.formMaximum()));
}

bool readSetting(JsonObjectReader& reader, const SettingField& field, quint64* out)
{
    qint64 value = qint64(*out);
    if (!reader.readInt64(field.key, &value, qint64(field.formMinimum()),
                          qint64(field.formMaximum()))) {
        return false;
    }
    *out = quint64(value);
    return true;
}

bool readSetting(JsonObjectReader& reader, const SettingField& field, double* out)
{
    return reader.readDouble(field.key, out, field.range);
}

bool readSetting(JsonObjectReader& reader, const SettingField& field, bool* out)
{
    return reader.readBool(field.key, out);
}

bool readSetting(JsonObjectReader& reader, const SettingField& field, QString* out)
{
    return reader.readString(field.key, out);
}

template <typename E>
std::enable_if_t<std::is_enum_v<E>, bool> readSetting(JsonObjectReader& reader,
                                                      const SettingField& field, E* out)
{
    const auto parse = [&field](const QString& text) -> std::optional<E> {
        const int index = field.choiceIndex(text);
        return index < 0 ? std::nullopt : std::optional<E>(E(index));
    };
    return reader.readEnum<E>(field.key, out, parse, field.choiceNames());
}

// A monitor is one of the field's names or an older Keras alias (acc, val_acc).
void readMonitor(JsonObjectReader& reader, const SettingField& field, QString* out)
{
    const QString& key = field.key;
    if (!reader.has(key)) {
        reader.take(key);
        return;
    }
    const QJsonValue value = reader.take(key);
    if (!value.isString() || !isKnownMonitor(value.toString())) {
        reader.addError(
            reader.childPath(key),
            QStringLiteral("must be %1, got %2").arg(field.describe(), describeJsonValue(value)));
        return;
    }
    *out = value.toString();
}

// Reads [low, high] (each in the field's range, low <= high) from `value`, the field's.
bool readPair(JsonObjectReader& reader, const SettingField& field, const QJsonValue& value,
              double* low, double* high)
{
    const QJsonArray array = value.toArray();
    if (value.isArray() && array.size() == 2 && array[0].isDouble() && array[1].isDouble() &&
        field.range.contains(array[0].toDouble()) && field.range.contains(array[1].toDouble()) &&
        (field.strictPair ? array[0].toDouble() < array[1].toDouble()
                          : array[0].toDouble() <= array[1].toDouble())) {
        *low = array[0].toDouble();
        *high = array[1].toDouble();
        return true;
    }
    reader.addError(
        reader.childPath(field.key),
        QStringLiteral("must be %1, got %2").arg(field.describe(), describeJsonValue(value)));
    return false;
}

// "1.0" / "1" / 1 -> {major, minor}; false when it is none of these.
bool parseVersion(const QJsonValue& value, int* major, int* minor)
{
    qint64 integer = 0;
    if (jsonToInteger(value, &integer) && integer >= 0 && integer <= kIntMax) {
        *major = int(integer);
        *minor = 0;
        return true;
    }
    if (!value.isString()) {
        return false;
    }
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,6})(?:\\.(\\d{1,6}))?$"));
    const QRegularExpressionMatch match = pattern.match(value.toString().trimmed());
    if (!match.hasMatch()) {
        return false;
    }
    *major = match.captured(1).toInt();
    *minor = match.captured(2).isEmpty() ? 0 : match.captured(2).toInt();
    return true;
}

void readSplit(JsonObjectReader& reader, DatasetSettings* dataset, JsonDiagnostics* diagnostics)
{
    const QString key = QStringLiteral("split");
    if (!reader.has(key)) {
        return;
    }
    JsonObjectReader split(reader.take(key), reader.childPath(key), diagnostics);
    if (!split.isObject()) {
        return;
    }
    const int errorsBefore = int(diagnostics->errors.size());
    readSetting(split, datasetSchema().trainRatio, &dataset->trainRatio);
    readSetting(split, datasetSchema().validationRatio, &dataset->validationRatio);
    readSetting(split, datasetSchema().testRatio, &dataset->testRatio);
    const double sum = dataset->trainRatio + dataset->validationRatio + dataset->testRatio;
    if (diagnostics->errors.size() == errorsBefore && std::abs(sum - 1.0) > 1e-6) {
        split.addError(split.path(), QStringLiteral("must add up to 1, got %1 + %2 + %3 = %4")
                                         .arg(dataset->trainRatio, 0, 'g', 10)
                                         .arg(dataset->validationRatio, 0, 'g', 10)
                                         .arg(dataset->testRatio, 0, 'g', 10)
                                         .arg(sum, 0, 'g', 10));
    }
    split.finish();
}

void checkGroupPattern(JsonObjectReader& reader, const DatasetSettings& dataset)
{
    if (dataset.groupBy != GroupBy::Pattern) {
        return;
    }
    const QRegularExpression pattern(dataset.groupPattern);
    if (dataset.groupPattern.isEmpty() || !pattern.isValid()) {
        reader.addError(
            reader.childPath(datasetSchema().groupPattern.key),
            QStringLiteral("must be a regular expression that finds the group in "
                           "a file name (its first capture, e.g. "
                           "\"^(slide\\d+)_\"), got '%1'%2")
                .arg(dataset.groupPattern,
                     pattern.isValid() ? QString() : QStringLiteral(": ") + pattern.errorString()));
    }
}

// channels: [1, 2, ...] in the file, 0-based in DatasetSettings.
bool readSetting(JsonObjectReader& reader, const SettingField& field, QVector<int>* out)
{
    if (!reader.has(field.key)) {
        return false;
    }
    const QJsonValue value = reader.take(field.key);
    QVector<int> list;
    for (const QJsonValue& item : value.toArray()) {
        const double number = item.toDouble(-1);
        if (!item.isDouble() || !field.accepts(number) || list.contains(int(number) - 1)) {
            list.clear();
            break;
        }
        list << int(number) - 1;
    }
    if (list.isEmpty()) {
        reader.addError(
            reader.childPath(field.key),
            QStringLiteral("must be %1, got %2").arg(field.describe(), describeJsonValue(value)));
        return false;
    }
    *out = list;
    return true;
}

// value_range: one [low, high] for every channel, or [[low, high], ...], one per channel the
// network sees.
void readValueRanges(JsonObjectReader& reader, const QJsonValue& value, DatasetSettings* dataset)
{
    const SettingField& field = datasetSchema().valueRange;
    const QJsonArray array = value.toArray();
    if (array.isEmpty() || !array[0].isArray()) {
        readPair(reader, field, value, &dataset->rangeLow, &dataset->rangeHigh);
        return;
    }
    QVector<QPair<double, double>> ranges;
    for (const QJsonValue& item : array) {
        double low = 0;
        double high = 0;
        if (!readPair(reader, field, item, &low, &high)) {
            return;
        }
        ranges.append({low, high});
    }
    if (ranges.size() != dataset->channels()) {
        reader.addError(reader.childPath(field.key),
                        QStringLiteral("has %1 ranges but the network sees %2 channels "
                                       "(dataset.channels): give one [low, high] for every "
                                       "channel, or one pair per channel")
                            .arg(ranges.size())
                            .arg(dataset->channels()));
        return;
    }
    dataset->channelRanges = ranges;
}

// channels or color_mode (they say the same thing twice), the normalisation and the resize.
void readChannelsAndValues(JsonObjectReader& reader, DatasetSettings* dataset)
{
    const DatasetSchema& f = datasetSchema();
    if (reader.has(f.channels.key) && reader.has(f.colorMode.key)) {
        reader.addError(reader.childPath(f.channels.key),
                        QStringLiteral("and color_mode are both set; keep one: channels picks "
                                       "the image channels as they are, color_mode converts to "
                                       "grey or RGB"));
    }
    readSetting(reader, f.colorMode, &dataset->colorMode);
    readSetting(reader, f.channels, &dataset->channelList);
    readSetting(reader, f.normalization, &dataset->normalization);
    if (reader.has(f.valueRange.key)) {
        readValueRanges(reader, reader.take(f.valueRange.key), dataset);
    }
    if (reader.has(f.percentiles.key)) {
        readPair(reader, f.percentiles, reader.take(f.percentiles.key), &dataset->percentileLow,
                 &dataset->percentileHigh);
    }
    readSetting(reader, f.rescale, &dataset->rescale);
    readSetting(reader, f.resize, &dataset->resize);
    readSetting(reader, f.padValue, &dataset->padValue);
}

void readDataset(const QJsonValue& value, const QString& baseDir, DatasetSettings* dataset,
                 JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, QStringLiteral("dataset"), diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (readSetting(reader, datasetSchema().root, &dataset->root) && !dataset->root.isEmpty() &&
        !baseDir.isEmpty() && QDir::isRelativePath(dataset->root)) {
        dataset->root = QDir::cleanPath(QDir(baseDir).absoluteFilePath(dataset->root));
    }
    readSetting(reader, datasetSchema().splitMode, &dataset->splitMode);
    readSplit(reader, dataset, diagnostics);
    readSetting(reader, datasetSchema().splitSeed, &dataset->splitSeed);
    readSetting(reader, datasetSchema().groupBy, &dataset->groupBy);
    readSetting(reader, datasetSchema().groupPattern, &dataset->groupPattern);
    checkGroupPattern(reader, *dataset);
    readSetting(reader, datasetSchema().imageSize, &dataset->imageSize);
    readChannelsAndValues(reader, dataset);
    double cacheMiB = double(dataset->cacheBudgetBytes) / kBytesPerMiB;
    if (readSetting(reader, datasetSchema().cacheBudgetMb, &cacheMiB)) {
        dataset->cacheBudgetBytes = qint64(std::llround(cacheMiB * kBytesPerMiB));
    }
    reader.finish();
}

// zoom_range: Keras's number z ([1-z, 1+z]) or a list [low, high].
void readZoom(JsonObjectReader& reader, AugmentationSettings* augmentation)
{
    const SettingField& field = augmentationSchema().zoomRange;
    if (!reader.has(field.key)) {
        return;
    }
    const QJsonValue zoom = reader.take(field.key);
    if (!zoom.isDouble()) {
        readPair(reader, field, zoom, &augmentation->zoomLow, &augmentation->zoomHigh);
        return;
    }
    const double z = zoom.toDouble();
    if (z >= 0 && z < 1) {
        augmentation->zoomLow = 1 - z;
        augmentation->zoomHigh = 1 + z;
        return;
    }
    reader.addError(reader.childPath(field.key),
                    QStringLiteral("must be a number in [0, 1) or %1, got %2")
                        .arg(field.describe(), describeJsonValue(zoom)));
}

// brightness_range: null (unchanged) or a list [low, high].
void readBrightness(JsonObjectReader& reader, AugmentationSettings* augmentation)
{
    const SettingField& field = augmentationSchema().brightnessRange;
    if (!reader.has(field.key)) {
        return;
    }
    const QJsonValue brightness = reader.take(field.key);
    if (brightness.isNull()) {
        augmentation->brightnessLow = 1;
        augmentation->brightnessHigh = 1;
        return;
    }
    readPair(reader, field, brightness, &augmentation->brightnessLow,
             &augmentation->brightnessHigh);
}

void readAugmentation(const QJsonValue& value, AugmentationSettings* augmentation,
                      JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, QStringLiteral("augmentation"), diagnostics);
    if (!reader.isObject()) {
        return;
    }
    const AugmentationSchema& f = augmentationSchema();
    readSetting(reader, f.enabled, &augmentation->enabled);
    readSetting(reader, f.rotationRange, &augmentation->rotationRange);
    readSetting(reader, f.widthShiftRange, &augmentation->widthShiftRange);
    readSetting(reader, f.heightShiftRange, &augmentation->heightShiftRange);
    readSetting(reader, f.shearRange, &augmentation->shearRange);
    readZoom(reader, augmentation);
    readSetting(reader, f.horizontalFlip, &augmentation->horizontalFlip);
    readSetting(reader, f.verticalFlip, &augmentation->verticalFlip);
    readBrightness(reader, augmentation);
    readSetting(reader, f.fillMode, &augmentation->fillMode);
    readSetting(reader, f.cval, &augmentation->cval);
    reader.finish();
}

void readOptimizerParameters(JsonObjectReader& reader, OptimizerSettings* optimizer)
{
    const TrainingSchema& f = trainingSchema();
    switch (optimizer->kind) {
    case OptimizerKind::Adam:
        readSetting(reader, f.adamBeta1, &optimizer->adam.beta1);
        readSetting(reader, f.adamBeta2, &optimizer->adam.beta2);
        readSetting(reader, f.adamEpsilon, &optimizer->adam.epsilon);
        readSetting(reader, f.adamAmsgrad, &optimizer->adam.amsgrad);
        break;
    case OptimizerKind::Sgd:
        readSetting(reader, f.sgdMomentum, &optimizer->sgd.momentum);
        readSetting(reader, f.sgdNesterov, &optimizer->sgd.nesterov);
        break;
    case OptimizerKind::RmsProp:
        readSetting(reader, f.rmsRho, &optimizer->rmsprop.rho);
        readSetting(reader, f.rmsMomentum, &optimizer->rmsprop.momentum);
        readSetting(reader, f.rmsEpsilon, &optimizer->rmsprop.epsilon);
        readSetting(reader, f.rmsCentered, &optimizer->rmsprop.centered);
        break;
    }
}

void readOptimizer(const QJsonValue& value, const QString& path, OptimizerSettings* optimizer,
                   JsonDiagnostics* diagnostics)
{
    const SettingField& name = trainingSchema().optimizer;
    if (value.isString()) {
        const int index = name.choiceIndex(value.toString());
        if (index < 0) {
            diagnostics->errors << QStringLiteral("%1 must be %2, got %3")
                                       .arg(path, name.describe(), describeJsonValue(value));
            return;
        }
        optimizer->kind = OptimizerKind(index);
        return;
    }
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (!reader.has(name.key)) {
        reader.addError(reader.childPath(name.key),
                        QStringLiteral("is required: %1").arg(name.describe()));
        return;
    }
    if (!readSetting(reader, name, &optimizer->kind)) {
        return;
    }
    readOptimizerParameters(reader, optimizer);
    reader.finish();
}

// Reads callbacks.<key> with `read` when the file has it.
void readCallback(JsonObjectReader& callbacks, const QString& key,
                  const std::function<void(JsonObjectReader&)>& read)
{
    if (!callbacks.has(key)) {
        return;
    }
    JsonObjectReader reader(callbacks.take(key), callbacks.childPath(key), callbacks.diagnostics());
    if (reader.isObject()) {
        read(reader);
        reader.finish();
    }
}

void readCallbacks(const QJsonValue& value, const QString& path, CallbackSettings* callbacks,
                   JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        return;
    }
    const TrainingSchema& f = trainingSchema();
    readCallback(reader, QStringLiteral("early_stopping"), [&](JsonObjectReader& r) {
        EarlyStoppingSettings& early = callbacks->earlyStopping;
        readSetting(r, f.earlyStopping, &early.enabled);
        readMonitor(r, f.esMonitor, &early.monitor);
        readSetting(r, f.esPatience, &early.patience);
        readSetting(r, f.esMinDelta, &early.minDelta);
        readSetting(r, f.esRestoreBestWeights, &early.restoreBestWeights);
    });
    readCallback(reader, QStringLiteral("reduce_lr_on_plateau"), [&](JsonObjectReader& r) {
        ReduceLrOnPlateauSettings& reduce = callbacks->reduceLrOnPlateau;
        readSetting(r, f.reduceLr, &reduce.enabled);
        readMonitor(r, f.rlMonitor, &reduce.monitor);
        readSetting(r, f.rlFactor, &reduce.factor);
        readSetting(r, f.rlPatience, &reduce.patience);
        readSetting(r, f.rlMinDelta, &reduce.minDelta);
        readSetting(r, f.rlCooldown, &reduce.cooldown);
        readSetting(r, f.rlMinLr, &reduce.minLr);
    });
    readSetting(reader, f.terminateOnNan, &callbacks->terminateOnNan);
    readCallback(reader, QStringLiteral("model_checkpoint"), [&](JsonObjectReader& r) {
        ModelCheckpointSettings& checkpoint = callbacks->modelCheckpoint;
        readSetting(r, f.checkpoint, &checkpoint.enabled);
        readMonitor(r, f.checkpointMonitor, &checkpoint.monitor);
        readSetting(r, f.checkpointSaveBestOnly, &checkpoint.saveBestOnly);
    });
    reader.finish();
}

void readTraining(const QJsonValue& value, TrainingSettings* training, JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, QStringLiteral("training"), diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (reader.has(QStringLiteral("optimizer"))) {
        readOptimizer(reader.take(QStringLiteral("optimizer")),
                      reader.childPath(QStringLiteral("optimizer")), &training->optimizer,
                      diagnostics);
    }
    const TrainingSchema& f = trainingSchema();
    readSetting(reader, f.learningRate, &training->learningRate);
    readSetting(reader, f.decay, &training->decay);
    readSetting(reader, f.weightDecay, &training->weightDecay);
    readSetting(reader, f.labelSmoothing, &training->labelSmoothing);
    readSetting(reader, f.classWeights, &training->classWeights);
    readSetting(reader, f.batchSize, &training->batchSize);
    readSetting(reader, f.batchNormStatistics, &training->batchNormStatistics);
    readSetting(reader, f.precision, &training->precision);
    readSetting(reader, f.epochs, &training->epochs);
    readSetting(reader, f.seed, &training->seed);
    readSetting(reader, f.threads, &training->threads);
    if (reader.has(QStringLiteral("callbacks"))) {
        readCallbacks(reader.take(QStringLiteral("callbacks")),
                      reader.childPath(QStringLiteral("callbacks")), &training->callbacks,
                      diagnostics);
    }
    reader.finish();
}

QJsonArray pair(double low, double high)
{
    return QJsonArray{low, high};
}

// Writes the fields' values under their keys.
void put(QJsonObject& json, const SettingField& field, const QJsonValue& value)
{
    json.insert(field.key, value);
}

QJsonObject datasetToJson(const DatasetSettings& dataset, const QString& baseDir)
{
    QString root = dataset.root;
    if (!baseDir.isEmpty() && !root.isEmpty() && QDir::isAbsolutePath(root)) {
        const QString relative = QDir(baseDir).relativeFilePath(root);
        if (!relative.startsWith(QLatin1String("..")) && !QDir::isAbsolutePath(relative)) {
            root = relative;
        }
    }
    const DatasetSchema& f = datasetSchema();
    QJsonObject split;
    put(split, f.trainRatio, dataset.trainRatio);
    put(split, f.validationRatio, dataset.validationRatio);
    put(split, f.testRatio, dataset.testRatio);
    QJsonObject json;
    put(json, f.root, root);
    put(json, f.splitMode, choiceName(f.splitMode, dataset.splitMode));
    json.insert(QStringLiteral("split"), split);
    put(json, f.splitSeed, double(dataset.splitSeed));
    put(json, f.groupBy, choiceName(f.groupBy, dataset.groupBy));
    if (dataset.groupBy == GroupBy::Pattern || !dataset.groupPattern.isEmpty()) {
        put(json, f.groupPattern, dataset.groupPattern);
    }
    put(json, f.imageSize, dataset.imageSize);
    if (dataset.channelList.isEmpty()) {
        put(json, f.colorMode, choiceName(f.colorMode, dataset.colorMode));
    } else {
        QJsonArray channels;
        for (const int c : dataset.channelList) {
            channels.append(c + 1);
        }
        put(json, f.channels, channels);
    }
    const DatasetSettings defaults;
    if (dataset.normalization != Normalization::Legacy) {
        put(json, f.normalization, choiceName(f.normalization, dataset.normalization));
    }
    if (!dataset.channelRanges.isEmpty()) {
        QJsonArray ranges;
        for (const auto& [low, high] : dataset.channelRanges) {
            ranges.append(pair(low, high));
        }
        put(json, f.valueRange, ranges);
    } else if (dataset.normalization != Normalization::Legacy ||
               dataset.rangeLow != defaults.rangeLow || dataset.rangeHigh != defaults.rangeHigh) {
        put(json, f.valueRange, pair(dataset.rangeLow, dataset.rangeHigh));
    }
    if (dataset.normalization != Normalization::Legacy ||
        dataset.percentileLow != defaults.percentileLow ||
        dataset.percentileHigh != defaults.percentileHigh) {
        put(json, f.percentiles, pair(dataset.percentileLow, dataset.percentileHigh));
    }
    put(json, f.rescale, dataset.rescale);
    put(json, f.resize, choiceName(f.resize, dataset.resize));
    put(json, f.padValue, dataset.padValue);
    put(json, f.cacheBudgetMb, double(dataset.cacheBudgetBytes) / kBytesPerMiB);
    return json;
}

QJsonObject augmentationToJson(const AugmentationSettings& a)
{
    const AugmentationSchema& f = augmentationSchema();
    const bool unchangedBrightness = a.brightnessLow == 1 && a.brightnessHigh == 1;
    QJsonObject json;
    put(json, f.enabled, a.enabled);
    put(json, f.rotationRange, a.rotationRange);
    put(json, f.widthShiftRange, a.widthShiftRange);
    put(json, f.heightShiftRange, a.heightShiftRange);
    put(json, f.shearRange, a.shearRange);
    put(json, f.zoomRange, pair(a.zoomLow, a.zoomHigh));
    put(json, f.horizontalFlip, a.horizontalFlip);
    put(json, f.verticalFlip, a.verticalFlip);
    put(json, f.brightnessRange,
        unchangedBrightness ? QJsonValue() : QJsonValue(pair(a.brightnessLow, a.brightnessHigh)));
    put(json, f.fillMode, choiceName(f.fillMode, a.fillMode));
    put(json, f.cval, a.cval);
    return json;
}

// Only the chosen optimizer's parameters are written.
QJsonObject optimizerToJson(const OptimizerSettings& o)
{
    const TrainingSchema& f = trainingSchema();
    QJsonObject json;
    put(json, f.optimizer, choiceName(f.optimizer, o.kind));
    switch (o.kind) {
    case OptimizerKind::Adam:
        put(json, f.adamBeta1, o.adam.beta1);
        put(json, f.adamBeta2, o.adam.beta2);
        put(json, f.adamEpsilon, o.adam.epsilon);
        put(json, f.adamAmsgrad, o.adam.amsgrad);
        break;
    case OptimizerKind::Sgd:
        put(json, f.sgdMomentum, o.sgd.momentum);
        put(json, f.sgdNesterov, o.sgd.nesterov);
        break;
    case OptimizerKind::RmsProp:
        put(json, f.rmsRho, o.rmsprop.rho);
        put(json, f.rmsMomentum, o.rmsprop.momentum);
        put(json, f.rmsEpsilon, o.rmsprop.epsilon);
        put(json, f.rmsCentered, o.rmsprop.centered);
        break;
    }
    return json;
}

QJsonObject callbacksToJson(const CallbackSettings& c)
{
    const TrainingSchema& f = trainingSchema();
    QJsonObject early;
    put(early, f.earlyStopping, c.earlyStopping.enabled);
    put(early, f.esMonitor, c.earlyStopping.monitor);
    put(early, f.esPatience, c.earlyStopping.patience);
    put(early, f.esMinDelta, c.earlyStopping.minDelta);
    put(early, f.esRestoreBestWeights, c.earlyStopping.restoreBestWeights);
    QJsonObject reduce;
    put(reduce, f.reduceLr, c.reduceLrOnPlateau.enabled);
    put(reduce, f.rlMonitor, c.reduceLrOnPlateau.monitor);
    put(reduce, f.rlFactor, c.reduceLrOnPlateau.factor);
    put(reduce, f.rlPatience, c.reduceLrOnPlateau.patience);
    put(reduce, f.rlMinDelta, c.reduceLrOnPlateau.minDelta);
    put(reduce, f.rlCooldown, c.reduceLrOnPlateau.cooldown);
    put(reduce, f.rlMinLr, c.reduceLrOnPlateau.minLr);
    QJsonObject checkpoint;
    put(checkpoint, f.checkpoint, c.modelCheckpoint.enabled);
    put(checkpoint, f.checkpointMonitor, c.modelCheckpoint.monitor);
    put(checkpoint, f.checkpointSaveBestOnly, c.modelCheckpoint.saveBestOnly);
    QJsonObject json;
    json.insert(QStringLiteral("early_stopping"), early);
    json.insert(QStringLiteral("reduce_lr_on_plateau"), reduce);
    put(json, f.terminateOnNan, c.terminateOnNan);
    json.insert(QStringLiteral("model_checkpoint"), checkpoint);
    return json;
}

QJsonObject trainingToJson(const TrainingSettings& t)
{
    const TrainingSchema& f = trainingSchema();
    QJsonObject json;
    json.insert(QStringLiteral("optimizer"), optimizerToJson(t.optimizer));
    put(json, f.learningRate, t.learningRate);
    put(json, f.decay, t.decay);
    put(json, f.weightDecay, t.weightDecay);
    put(json, f.labelSmoothing, t.labelSmoothing);
    put(json, f.classWeights, choiceName(f.classWeights, t.classWeights));
    put(json, f.batchSize, t.batchSize);
    put(json, f.batchNormStatistics, choiceName(f.batchNormStatistics, t.batchNormStatistics));
    put(json, f.precision, choiceName(f.precision, t.precision));
    put(json, f.epochs, t.epochs);
    put(json, f.seed, double(t.seed));
    put(json, f.threads, t.threads);
    json.insert(QStringLiteral("callbacks"), callbacksToJson(t.callbacks));
    return json;
}

// "line 3, column 7" for a byte offset into `text`.
QString lineAndColumn(const QByteArray& text, int offset)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

} // namespace

Project defaultProject()
{
    Project project;
    const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    if (seed) {
        project.model = seed->model;
    }
    return project;
}

Result<LoadedProject> projectFromJson(const QByteArray& json, const QString& baseDir,
                                      const QString& sourceName)
{
    const QString source = sourceName.isEmpty() ? QStringLiteral("the project") : sourceName;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Failure{
            QStringLiteral("%1 is not valid JSON: %2 at %3. Fix the file in a text "
                           "editor or save the project again.")
                .arg(source, parseError.errorString(), lineAndColumn(json, parseError.offset))};
    }
    if (!document.isObject()) {
        return Failure{QStringLiteral("%1 must contain a JSON object {\"version\": \"1.0\", "
                                      "\"dataset\": ..., \"model\": ...}, not an array or a "
                                      "value.")
                           .arg(source)};
    }
    const QJsonObject root = document.object();
    LoadedProject loaded;
    JsonDiagnostics diagnostics;
    JsonObjectReader reader(root, QString(), &diagnostics);

    if (!reader.has(QStringLiteral("version"))) {
        diagnostics.warnings << QStringLiteral("version is missing; reading it as format %1.%2")
                                    .arg(kProjectFormatMajor)
                                    .arg(kProjectFormatMinor);
    } else {
        const QJsonValue version = reader.take(QStringLiteral("version"));
        int major = 0;
        int minor = 0;
        if (!parseVersion(version, &major, &minor)) {
            return Failure{QStringLiteral("%1: version must be a string \"MAJOR.MINOR\" such as "
                                          "\"%2.%3\", got %4")
                               .arg(source)
                               .arg(kProjectFormatMajor)
                               .arg(kProjectFormatMinor)
                               .arg(describeJsonValue(version))};
        }
        if (major > kProjectFormatMajor) {
            return Failure{QStringLiteral("%1 uses project format %2.%3, which is newer than "
                                          "this Classifier Studio understands (format %4.x). "
                                          "Open it with a newer Classifier Studio.")
                               .arg(source)
                               .arg(major)
                               .arg(minor)
                               .arg(kProjectFormatMajor)};
        }
        if (major < 1) {
            return Failure{QStringLiteral("%1: version %2.%3 does not exist; the first project "
                                          "format is 1.0.")
                               .arg(source)
                               .arg(major)
                               .arg(minor)};
        }
        if (major == kProjectFormatMajor && minor > kProjectFormatMinor) {
            diagnostics.warnings
                << QStringLiteral("version %1.%2 is newer than this Classifier Studio's format "
                                  "%3.%4; settings it added are ignored")
                       .arg(major)
                       .arg(minor)
                       .arg(kProjectFormatMajor)
                       .arg(kProjectFormatMinor);
        }
    }

    Project& project = loaded.project;
    if (reader.has(QStringLiteral("dataset"))) {
        readDataset(reader.take(QStringLiteral("dataset")), baseDir, &project.dataset,
                    &diagnostics);
    }
    if (reader.has(QStringLiteral("augmentation"))) {
        readAugmentation(reader.take(QStringLiteral("augmentation")), &project.augmentation,
                         &diagnostics);
    }
    if (reader.has(QStringLiteral("model"))) {
        project.model = modelFromJson(reader.take(QStringLiteral("model")), QStringLiteral("model"),
                                      &diagnostics);
        // A model to start from and a feature extractor are named relative to the project
        // file, like the dataset.
        const auto resolve = [&](QString* path) {
            if (!path->isEmpty() && !baseDir.isEmpty() && QDir::isRelativePath(*path)) {
                *path = QDir::cleanPath(QDir(baseDir).absoluteFilePath(*path));
            }
        };
        resolve(&project.model.initFrom);
        for (LayerSpec& layer : project.model.layers) {
            if (layer.type == LayerType::FeatureExtractor) {
                resolve(&layer.extractor.path);
            }
        }
    } else {
        reader.addError(QStringLiteral("model"),
                        QStringLiteral("is missing: add \"model\": {\"layers\": [...]}, for "
                                       "example from a template (seed, small, vgg-bn)"));
    }
    if (reader.has(QStringLiteral("training"))) {
        readTraining(reader.take(QStringLiteral("training")), &project.training, &diagnostics);
    }
    reader.finish();

    if (!diagnostics.errors.isEmpty()) {
        return Failure{QStringLiteral("%1 has %2 problem%3:\n  %4")
                           .arg(source)
                           .arg(diagnostics.errors.size())
                           .arg(diagnostics.errors.size() == 1 ? QString() : QStringLiteral("s"))
                           .arg(diagnostics.errors.join(QStringLiteral("\n  ")))};
    }
    loaded.warnings = diagnostics.warnings;
    return loaded;
}

QByteArray projectToJson(const Project& project, const QString& baseDir)
{
    QJsonObject json;
    json.insert(QStringLiteral("version"),
                QStringLiteral("%1.%2").arg(kProjectFormatMajor).arg(kProjectFormatMinor));
    json.insert(QStringLiteral("dataset"), datasetToJson(project.dataset, baseDir));
    json.insert(QStringLiteral("augmentation"), augmentationToJson(project.augmentation));
    json.insert(QStringLiteral("model"), modelToJson(project.model));
    json.insert(QStringLiteral("training"), trainingToJson(project.training));
    return toReadableJson(json);
}

Result<LoadedProject> loadProject(const QString& path)
{
    QFile file(path);
    if (!file.exists()) {
        return Failure{QStringLiteral("The project file '%1' does not exist. Check the path.")
                           .arg(QDir::toNativeSeparators(path))};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Cannot read the project file '%1': %2.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    const QByteArray bytes = file.readAll();
    return projectFromJson(
        bytes, QFileInfo(path).absolutePath(),
        QStringLiteral("The project file '%1'").arg(QDir::toNativeSeparators(path)));
}

Status saveProject(const QString& path, const Project& project)
{
    // What is written must open again: the reader checks it first, with its own messages.
    const QString baseDir = QFileInfo(path).absolutePath();
    const QByteArray bytes = projectToJson(project, baseDir);
    const Result<LoadedProject> readBack = projectFromJson(
        bytes, baseDir,
        QStringLiteral("The project to be saved as '%1'").arg(QDir::toNativeSeparators(path)));
    if (!readBack) {
        return Failure{readBack.error() +
                       QStringLiteral(" Nothing was written: change that setting and save again.")};
    }
    return writeFileAtomically(path, bytes);
}

Status setProjectValue(Project* project, const QString& path, const QJsonValue& value)
{
    QJsonObject json = QJsonDocument::fromJson(projectToJson(*project)).object();
    const QStringList keys = path.split(QLatin1Char('.'));
    // Copy down the path, set the value, and put the copies back on the way up.
    QVector<QJsonObject> objects = {json};
    for (int i = 0; i + 1 < keys.size(); ++i) {
        objects.append(objects.last().value(keys[i]).toObject());
    }
    objects.last().insert(keys.last(), value);
    // channels and color_mode say the same thing: the one set replaces the other.
    if (path == datasetSchema().channels.path()) {
        objects.last().remove(datasetSchema().colorMode.key);
    } else if (path == datasetSchema().colorMode.path()) {
        objects.last().remove(datasetSchema().channels.key);
    }
    for (int i = int(keys.size()) - 2; i >= 0; --i) {
        objects[i].insert(keys[i], objects[i + 1]);
    }
    Result<LoadedProject> changed =
        projectFromJson(QJsonDocument(objects.first()).toJson(), QString(), path);
    if (!changed) {
        return Failure{changed.error()};
    }
    const Project before = *project;
    *project = changed->project;
    // What the file does not hold stays as it was (the optimizers not chosen, the cache budget).
    // A newly chosen optimizer keeps the parameters it had too: the file held the old one's.
    OptimizerSettings& optimizer = project->training.optimizer;
    const OptimizerSettings& kept = before.training.optimizer;
    const bool switched = optimizer.kind != kept.kind;
    if (switched || optimizer.kind != OptimizerKind::Adam) {
        optimizer.adam = kept.adam;
    }
    if (switched || optimizer.kind != OptimizerKind::Sgd) {
        optimizer.sgd = kept.sgd;
    }
    if (switched || optimizer.kind != OptimizerKind::RmsProp) {
        optimizer.rmsprop = kept.rmsprop;
    }
    if (path != datasetSchema().cacheBudgetMb.path()) {
        project->dataset.cacheBudgetBytes = before.dataset.cacheBudgetBytes;
    }
    return {};
}

bool sameProject(const Project& a, const Project& b)
{
    return a.dataset == b.dataset && a.augmentation == b.augmentation && a.model == b.model &&
           a.training == b.training;
}

} // namespace studio
