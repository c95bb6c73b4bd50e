#include "project/project.h"

#include "common/atomicfile.h"
#include "model/jsonfields.h"
#include "model/modeltemplates.h"
#include "project/readablejson.h"
#include "training/callbacks.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace studio {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;
constexpr int kIntMax = std::numeric_limits<int>::max();

// Names of enum values in the file, in the order they are listed in messages.
template <typename E> struct EnumNames
{
    QVector<QPair<E, QString>> entries;

    QStringList names() const
    {
        QStringList list;
        for (const auto& entry : entries) {
            list << entry.second;
        }
        return list;
    }
    QString name(E value) const
    {
        for (const auto& entry : entries) {
            if (entry.first == value) {
                return entry.second;
            }
        }
        return QString();
    }
    std::function<std::optional<E>(QString)> parser() const
    {
        const auto copy = entries;
        return [copy](const QString& text) -> std::optional<E> {
            for (const auto& entry : copy) {
                if (entry.second == text) {
                    return entry.first;
                }
            }
            return std::nullopt;
        };
    }
};

const EnumNames<ColorMode> kColorModes{
    {{ColorMode::Rgb, QStringLiteral("rgb")}, {ColorMode::Grayscale, QStringLiteral("grayscale")}}};
const EnumNames<SplitMode> kSplitModes{
    {{SplitMode::Folders, QStringLiteral("folders")}, {SplitMode::Auto, QStringLiteral("auto")}}};
const EnumNames<FillMode> kFillModes{{{FillMode::Nearest, QStringLiteral("nearest")},
                                      {FillMode::Constant, QStringLiteral("constant")},
                                      {FillMode::Reflect, QStringLiteral("reflect")},
                                      {FillMode::Wrap, QStringLiteral("wrap")}}};
const EnumNames<OptimizerKind> kOptimizers{{{OptimizerKind::Adam, QStringLiteral("adam")},
                                            {OptimizerKind::Sgd, QStringLiteral("sgd")},
                                            {OptimizerKind::RmsProp, QStringLiteral("rmsprop")}}};
const EnumNames<ClassWeighting> kClassWeights{
    {{ClassWeighting::None, QStringLiteral("none")},
     {ClassWeighting::Balanced, QStringLiteral("balanced")},
     {ClassWeighting::BalancedSampling, QStringLiteral("balanced_sampling")}}};
const EnumNames<GroupBy> kGroupBy{{{GroupBy::None, QStringLiteral("none")},
                                   {GroupBy::Folder, QStringLiteral("folder")},
                                   {GroupBy::Pattern, QStringLiteral("pattern")}}};
const EnumNames<BatchNormStatistics> kBatchNormStatistics{
    {{BatchNormStatistics::Recompute, QStringLiteral("recompute")},
     {BatchNormStatistics::MovingAverage, QStringLiteral("moving_average")}}};

QStringList monitorNames()
{
    return {QStringLiteral("val_loss"), QStringLiteral("val_accuracy"), QStringLiteral("loss"),
            QStringLiteral("accuracy")};
}

template <typename E>
void readEnum(JsonObjectReader& reader, const QString& key, E* out, const EnumNames<E>& names)
{
    reader.readEnum<E>(key, out, names.parser(), names.names());
}

void readMonitor(JsonObjectReader& reader, QString* out)
{
    const QString key = QStringLiteral("monitor");
    QString monitor = *out;
    if (!reader.has(key)) {
        reader.take(key);
        return;
    }
    const QJsonValue value = reader.take(key);
    if (!value.isString() || !isKnownMonitor(value.toString())) {
        reader.addError(
            reader.childPath(key),
            QStringLiteral("must be one of %1, got %2")
                .arg(JsonObjectReader::quotedList(monitorNames()), describeJsonValue(value)));
        return;
    }
    *out = value.toString();
}

// Reads [low, high] with range.contains(low), range.contains(high) and low <= high.
bool readPair(JsonObjectReader& reader, const QString& key, double* low, double* high,
              const NumberRange& range)
{
    const QJsonValue value = reader.take(key);
    const QJsonArray array = value.toArray();
    if (value.isArray() && array.size() == 2 && array[0].isDouble() && array[1].isDouble() &&
        range.contains(array[0].toDouble()) && range.contains(array[1].toDouble()) &&
        array[0].toDouble() <= array[1].toDouble()) {
        *low = array[0].toDouble();
        *high = array[1].toDouble();
        return true;
    }
    reader.addError(reader.childPath(key),
                    QStringLiteral("must be a list [low, high] with low <= high, each %1, got %2")
                        .arg(range.describe(), describeJsonValue(value)));
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

void readDataset(const QJsonValue& value, const QString& baseDir, DatasetSettings* dataset,
                 JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, QStringLiteral("dataset"), diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (reader.readString(QStringLiteral("root"), &dataset->root) && !dataset->root.isEmpty() &&
        !baseDir.isEmpty() && QDir::isRelativePath(dataset->root)) {
        dataset->root = QDir::cleanPath(QDir(baseDir).absoluteFilePath(dataset->root));
    }
    readEnum(reader, QStringLiteral("split_mode"), &dataset->splitMode, kSplitModes);
    if (reader.has(QStringLiteral("split"))) {
        JsonObjectReader split(reader.take(QStringLiteral("split")),
                               reader.childPath(QStringLiteral("split")), diagnostics);
        if (split.isObject()) {
            const int errorsBefore = int(diagnostics->errors.size());
            split.readDouble(QStringLiteral("train"), &dataset->trainRatio, {0, 1, true, false});
            split.readDouble(QStringLiteral("validation"), &dataset->validationRatio,
                             NumberRange::closed(0, 1));
            split.readDouble(QStringLiteral("test"), &dataset->testRatio,
                             NumberRange::closed(0, 1));
            const double sum = dataset->trainRatio + dataset->validationRatio + dataset->testRatio;
            if (diagnostics->errors.size() == errorsBefore && std::abs(sum - 1.0) > 1e-6) {
                split.addError(split.path(),
                               QStringLiteral("must add up to 1, got %1 + %2 + %3 = %4")
                                   .arg(dataset->trainRatio, 0, 'g', 10)
                                   .arg(dataset->validationRatio, 0, 'g', 10)
                                   .arg(dataset->testRatio, 0, 'g', 10)
                                   .arg(sum, 0, 'g', 10));
            }
            split.finish();
        }
    }
    qint64 splitSeed = qint64(dataset->splitSeed);
    if (reader.readInt64(QStringLiteral("split_seed"), &splitSeed, 0, qint64(1) << 53)) {
        dataset->splitSeed = quint64(splitSeed);
    }
    readEnum(reader, QStringLiteral("group_by"), &dataset->groupBy, kGroupBy);
    reader.readString(QStringLiteral("group_pattern"), &dataset->groupPattern);
    if (dataset->groupBy == GroupBy::Pattern) {
        const QRegularExpression pattern(dataset->groupPattern);
        if (dataset->groupPattern.isEmpty() || !pattern.isValid()) {
            reader.addError(reader.childPath(QStringLiteral("group_pattern")),
                            QStringLiteral("must be a regular expression that finds the group in "
                                           "a file name (its first capture, e.g. "
                                           "\"^(slide\\d+)_\"), got '%1'%2")
                                .arg(dataset->groupPattern,
                                     pattern.isValid()
                                         ? QString()
                                         : QStringLiteral(": ") + pattern.errorString()));
        }
    }
    reader.readInt(QStringLiteral("image_size"), &dataset->imageSize, kMinImageSize, kMaxImageSize);
    readEnum(reader, QStringLiteral("color_mode"), &dataset->colorMode, kColorModes);
    reader.readDouble(QStringLiteral("rescale"), &dataset->rescale, NumberRange::positive());
    double cacheMiB = double(dataset->cacheBudgetBytes) / kBytesPerMiB;
    if (reader.readDouble(QStringLiteral("cache_budget_mb"), &cacheMiB,
                          NumberRange::closed(0, 1 << 30))) {
        dataset->cacheBudgetBytes = qint64(std::llround(cacheMiB * kBytesPerMiB));
    }
    reader.finish();
}

void readAugmentation(const QJsonValue& value, AugmentationSettings* augmentation,
                      JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, QStringLiteral("augmentation"), diagnostics);
    if (!reader.isObject()) {
        return;
    }
    reader.readBool(QStringLiteral("enabled"), &augmentation->enabled);
    reader.readDouble(QStringLiteral("rotation_range"), &augmentation->rotationRange,
                      NumberRange::closed(0, 180));
    reader.readDouble(QStringLiteral("width_shift_range"), &augmentation->widthShiftRange,
                      NumberRange::halfOpen(0, 1));
    reader.readDouble(QStringLiteral("height_shift_range"), &augmentation->heightShiftRange,
                      NumberRange::halfOpen(0, 1));
    reader.readDouble(QStringLiteral("shear_range"), &augmentation->shearRange,
                      NumberRange::halfOpen(0, 90));
    const QString zoomKey = QStringLiteral("zoom_range");
    if (reader.has(zoomKey)) {
        const QJsonValue zoom = reader.take(zoomKey);
        if (zoom.isDouble()) {
            const double z = zoom.toDouble();
            if (z >= 0 && z < 1) {
                augmentation->zoomLow = 1 - z;
                augmentation->zoomHigh = 1 + z;
            } else {
                reader.addError(reader.childPath(zoomKey),
                                QStringLiteral("must be a number in [0, 1) or a list [low, high] "
                                               "of positive numbers, got %1")
                                    .arg(describeJsonValue(zoom)));
            }
        } else {
            readPair(reader, zoomKey, &augmentation->zoomLow, &augmentation->zoomHigh,
                     NumberRange::positive());
        }
    }
    reader.readBool(QStringLiteral("horizontal_flip"), &augmentation->horizontalFlip);
    reader.readBool(QStringLiteral("vertical_flip"), &augmentation->verticalFlip);
    const QString brightnessKey = QStringLiteral("brightness_range");
    if (reader.has(brightnessKey)) {
        if (reader.take(brightnessKey).isNull()) {
            augmentation->brightnessLow = 1;
            augmentation->brightnessHigh = 1;
        } else {
            readPair(reader, brightnessKey, &augmentation->brightnessLow,
                     &augmentation->brightnessHigh, NumberRange::nonNegative());
        }
    }
    readEnum(reader, QStringLiteral("fill_mode"), &augmentation->fillMode, kFillModes);
    reader.readDouble(QStringLiteral("cval"), &augmentation->cval, NumberRange::closed(0, 255));
    reader.finish();
}

void readOptimizer(const QJsonValue& value, const QString& path, OptimizerSettings* optimizer,
                   JsonDiagnostics* diagnostics)
{
    if (value.isString()) {
        std::optional<OptimizerKind> kind = kOptimizers.parser()(value.toString());
        if (!kind) {
            diagnostics->errors << QStringLiteral("%1 must be one of %2, got %3")
                                       .arg(path, JsonObjectReader::quotedList(kOptimizers.names()),
                                            describeJsonValue(value));
            return;
        }
        optimizer->kind = *kind;
        return;
    }
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (!reader.has(QStringLiteral("name"))) {
        reader.addError(reader.childPath(QStringLiteral("name")),
                        QStringLiteral("is required: one of %1")
                            .arg(JsonObjectReader::quotedList(kOptimizers.names())));
        return;
    }
    if (!reader.readEnum<OptimizerKind>(QStringLiteral("name"), &optimizer->kind,
                                        kOptimizers.parser(), kOptimizers.names())) {
        return;
    }
    const NumberRange unit = NumberRange::halfOpen(0, 1);
    switch (optimizer->kind) {
    case OptimizerKind::Adam:
        reader.readDouble(QStringLiteral("beta_1"), &optimizer->adam.beta1, unit);
        reader.readDouble(QStringLiteral("beta_2"), &optimizer->adam.beta2, unit);
        reader.readDouble(QStringLiteral("epsilon"), &optimizer->adam.epsilon,
                          NumberRange::positive());
        reader.readBool(QStringLiteral("amsgrad"), &optimizer->adam.amsgrad);
        break;
    case OptimizerKind::Sgd:
        reader.readDouble(QStringLiteral("momentum"), &optimizer->sgd.momentum, unit);
        reader.readBool(QStringLiteral("nesterov"), &optimizer->sgd.nesterov);
        break;
    case OptimizerKind::RmsProp:
        reader.readDouble(QStringLiteral("rho"), &optimizer->rmsprop.rho, unit);
        reader.readDouble(QStringLiteral("momentum"), &optimizer->rmsprop.momentum, unit);
        reader.readDouble(QStringLiteral("epsilon"), &optimizer->rmsprop.epsilon,
                          NumberRange::positive());
        reader.readBool(QStringLiteral("centered"), &optimizer->rmsprop.centered);
        break;
    }
    reader.finish();
}

void readCallbacks(const QJsonValue& value, const QString& path, CallbackSettings* callbacks,
                   JsonDiagnostics* diagnostics)
{
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        return;
    }
    if (reader.has(QStringLiteral("early_stopping"))) {
        EarlyStoppingSettings& early = callbacks->earlyStopping;
        JsonObjectReader r(reader.take(QStringLiteral("early_stopping")),
                           reader.childPath(QStringLiteral("early_stopping")), diagnostics);
        if (r.isObject()) {
            r.readBool(QStringLiteral("enabled"), &early.enabled);
            readMonitor(r, &early.monitor);
            r.readInt(QStringLiteral("patience"), &early.patience, 0, kIntMax);
            r.readDouble(QStringLiteral("min_delta"), &early.minDelta, NumberRange::nonNegative());
            r.readBool(QStringLiteral("restore_best_weights"), &early.restoreBestWeights);
            r.finish();
        }
    }
    if (reader.has(QStringLiteral("reduce_lr_on_plateau"))) {
        ReduceLrOnPlateauSettings& reduce = callbacks->reduceLrOnPlateau;
        JsonObjectReader r(reader.take(QStringLiteral("reduce_lr_on_plateau")),
                           reader.childPath(QStringLiteral("reduce_lr_on_plateau")), diagnostics);
        if (r.isObject()) {
            r.readBool(QStringLiteral("enabled"), &reduce.enabled);
            readMonitor(r, &reduce.monitor);
            r.readDouble(QStringLiteral("factor"), &reduce.factor, {0, 1, true, true});
            r.readInt(QStringLiteral("patience"), &reduce.patience, 0, kIntMax);
            r.readDouble(QStringLiteral("min_delta"), &reduce.minDelta, NumberRange::nonNegative());
            r.readInt(QStringLiteral("cooldown"), &reduce.cooldown, 0, kIntMax);
            r.readDouble(QStringLiteral("min_lr"), &reduce.minLr, NumberRange::nonNegative());
            r.finish();
        }
    }
    reader.readBool(QStringLiteral("terminate_on_nan"), &callbacks->terminateOnNan);
    if (reader.has(QStringLiteral("model_checkpoint"))) {
        ModelCheckpointSettings& checkpoint = callbacks->modelCheckpoint;
        JsonObjectReader r(reader.take(QStringLiteral("model_checkpoint")),
                           reader.childPath(QStringLiteral("model_checkpoint")), diagnostics);
        if (r.isObject()) {
            r.readBool(QStringLiteral("enabled"), &checkpoint.enabled);
            readMonitor(r, &checkpoint.monitor);
            r.readBool(QStringLiteral("save_best_only"), &checkpoint.saveBestOnly);
            r.finish();
        }
    }
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
    reader.readDouble(QStringLiteral("learning_rate"), &training->learningRate,
                      NumberRange::positive());
    reader.readDouble(QStringLiteral("decay"), &training->decay, NumberRange::nonNegative());
    reader.readDouble(QStringLiteral("weight_decay"), &training->weightDecay,
                      NumberRange::nonNegative());
    reader.readDouble(QStringLiteral("label_smoothing"), &training->labelSmoothing,
                      NumberRange::halfOpen(0, 1));
    readEnum(reader, QStringLiteral("class_weights"), &training->classWeights, kClassWeights);
    reader.readInt(QStringLiteral("batch_size"), &training->batchSize, 1, kIntMax);
    readEnum(reader, QStringLiteral("batch_norm_statistics"), &training->batchNormStatistics,
             kBatchNormStatistics);
    reader.readInt(QStringLiteral("epochs"), &training->epochs, 1, kIntMax);
    qint64 seed = qint64(training->seed);
    if (reader.readInt64(QStringLiteral("seed"), &seed, 0, (qint64(1) << 53))) {
        training->seed = quint64(seed);
    }
    reader.readInt(QStringLiteral("threads"), &training->threads, 0, kIntMax);
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

QJsonObject datasetToJson(const DatasetSettings& dataset, const QString& baseDir)
{
    QString root = dataset.root;
    if (!baseDir.isEmpty() && !root.isEmpty() && QDir::isAbsolutePath(root)) {
        const QString relative = QDir(baseDir).relativeFilePath(root);
        if (!relative.startsWith(QLatin1String("..")) && !QDir::isAbsolutePath(relative)) {
            root = relative;
        }
    }
    QJsonObject json;
    json.insert(QStringLiteral("root"), root);
    json.insert(QStringLiteral("split_mode"), kSplitModes.name(dataset.splitMode));
    json.insert(QStringLiteral("split"),
                QJsonObject{{QStringLiteral("train"), dataset.trainRatio},
                            {QStringLiteral("validation"), dataset.validationRatio},
                            {QStringLiteral("test"), dataset.testRatio}});
    json.insert(QStringLiteral("split_seed"), double(dataset.splitSeed));
    json.insert(QStringLiteral("group_by"), kGroupBy.name(dataset.groupBy));
    if (dataset.groupBy == GroupBy::Pattern || !dataset.groupPattern.isEmpty()) {
        json.insert(QStringLiteral("group_pattern"), dataset.groupPattern);
    }
    json.insert(QStringLiteral("image_size"), dataset.imageSize);
    json.insert(QStringLiteral("color_mode"), kColorModes.name(dataset.colorMode));
    json.insert(QStringLiteral("rescale"), dataset.rescale);
    json.insert(QStringLiteral("cache_budget_mb"), double(dataset.cacheBudgetBytes) / kBytesPerMiB);
    return json;
}

QJsonObject augmentationToJson(const AugmentationSettings& a)
{
    QJsonObject json;
    json.insert(QStringLiteral("enabled"), a.enabled);
    json.insert(QStringLiteral("rotation_range"), a.rotationRange);
    json.insert(QStringLiteral("width_shift_range"), a.widthShiftRange);
    json.insert(QStringLiteral("height_shift_range"), a.heightShiftRange);
    json.insert(QStringLiteral("shear_range"), a.shearRange);
    json.insert(QStringLiteral("zoom_range"), pair(a.zoomLow, a.zoomHigh));
    json.insert(QStringLiteral("horizontal_flip"), a.horizontalFlip);
    json.insert(QStringLiteral("vertical_flip"), a.verticalFlip);
    json.insert(QStringLiteral("brightness_range"),
                a.brightnessLow == 1 && a.brightnessHigh == 1
                    ? QJsonValue()
                    : QJsonValue(pair(a.brightnessLow, a.brightnessHigh)));
    json.insert(QStringLiteral("fill_mode"), kFillModes.name(a.fillMode));
    json.insert(QStringLiteral("cval"), a.cval);
    return json;
}

QJsonObject trainingToJson(const TrainingSettings& t)
{
    QJsonObject optimizer;
    optimizer.insert(QStringLiteral("name"), kOptimizers.name(t.optimizer.kind));
    switch (t.optimizer.kind) {
    case OptimizerKind::Adam:
        optimizer.insert(QStringLiteral("beta_1"), t.optimizer.adam.beta1);
        optimizer.insert(QStringLiteral("beta_2"), t.optimizer.adam.beta2);
        optimizer.insert(QStringLiteral("epsilon"), t.optimizer.adam.epsilon);
        optimizer.insert(QStringLiteral("amsgrad"), t.optimizer.adam.amsgrad);
        break;
    case OptimizerKind::Sgd:
        optimizer.insert(QStringLiteral("momentum"), t.optimizer.sgd.momentum);
        optimizer.insert(QStringLiteral("nesterov"), t.optimizer.sgd.nesterov);
        break;
    case OptimizerKind::RmsProp:
        optimizer.insert(QStringLiteral("rho"), t.optimizer.rmsprop.rho);
        optimizer.insert(QStringLiteral("momentum"), t.optimizer.rmsprop.momentum);
        optimizer.insert(QStringLiteral("epsilon"), t.optimizer.rmsprop.epsilon);
        optimizer.insert(QStringLiteral("centered"), t.optimizer.rmsprop.centered);
        break;
    }
    const CallbackSettings& c = t.callbacks;
    QJsonObject callbacks;
    callbacks.insert(
        QStringLiteral("early_stopping"),
        QJsonObject{{QStringLiteral("enabled"), c.earlyStopping.enabled},
                    {QStringLiteral("monitor"), c.earlyStopping.monitor},
                    {QStringLiteral("patience"), c.earlyStopping.patience},
                    {QStringLiteral("min_delta"), c.earlyStopping.minDelta},
                    {QStringLiteral("restore_best_weights"), c.earlyStopping.restoreBestWeights}});
    callbacks.insert(QStringLiteral("reduce_lr_on_plateau"),
                     QJsonObject{{QStringLiteral("enabled"), c.reduceLrOnPlateau.enabled},
                                 {QStringLiteral("monitor"), c.reduceLrOnPlateau.monitor},
                                 {QStringLiteral("factor"), c.reduceLrOnPlateau.factor},
                                 {QStringLiteral("patience"), c.reduceLrOnPlateau.patience},
                                 {QStringLiteral("min_delta"), c.reduceLrOnPlateau.minDelta},
                                 {QStringLiteral("cooldown"), c.reduceLrOnPlateau.cooldown},
                                 {QStringLiteral("min_lr"), c.reduceLrOnPlateau.minLr}});
    callbacks.insert(QStringLiteral("terminate_on_nan"), c.terminateOnNan);
    callbacks.insert(
        QStringLiteral("model_checkpoint"),
        QJsonObject{{QStringLiteral("enabled"), c.modelCheckpoint.enabled},
                    {QStringLiteral("monitor"), c.modelCheckpoint.monitor},
                    {QStringLiteral("save_best_only"), c.modelCheckpoint.saveBestOnly}});

    QJsonObject json;
    json.insert(QStringLiteral("optimizer"), optimizer);
    json.insert(QStringLiteral("learning_rate"), t.learningRate);
    json.insert(QStringLiteral("decay"), t.decay);
    json.insert(QStringLiteral("weight_decay"), t.weightDecay);
    json.insert(QStringLiteral("label_smoothing"), t.labelSmoothing);
    json.insert(QStringLiteral("class_weights"), kClassWeights.name(t.classWeights));
    json.insert(QStringLiteral("batch_size"), t.batchSize);
    json.insert(QStringLiteral("batch_norm_statistics"),
                kBatchNormStatistics.name(t.batchNormStatistics));
    json.insert(QStringLiteral("epochs"), t.epochs);
    json.insert(QStringLiteral("seed"), double(t.seed));
    json.insert(QStringLiteral("threads"), t.threads);
    json.insert(QStringLiteral("callbacks"), callbacks);
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
    OptimizerSettings& optimizer = project->training.optimizer;
    const OptimizerSettings& kept = before.training.optimizer;
    if (optimizer.kind != OptimizerKind::Adam) {
        optimizer.adam = kept.adam;
    }
    if (optimizer.kind != OptimizerKind::Sgd) {
        optimizer.sgd = kept.sgd;
    }
    if (optimizer.kind != OptimizerKind::RmsProp) {
        optimizer.rmsprop = kept.rmsprop;
    }
    project->dataset.cacheBudgetBytes = before.dataset.cacheBudgetBytes;
    return {};
}

bool sameProject(const Project& a, const Project& b)
{
    return a.dataset == b.dataset && a.augmentation == b.augmentation && a.model == b.model &&
           a.training == b.training;
}

} // namespace studio
