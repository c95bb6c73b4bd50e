// Tests of the project file: round trips, the readable format, and every rejection with its
// JSON path.
#include "model/modeltemplates.h"
#include "project/project.h"
#include "project/readablejson.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace studio;

namespace {

// A project where every setting differs from its default.
Project unusualProject(const QString& root)
{
    Project p;
    DatasetSettings& d = p.dataset;
    d.root = root;
    d.splitMode = SplitMode::Auto;
    d.trainRatio = 0.7;
    d.validationRatio = 0.2;
    d.testRatio = 0.1;
    d.splitSeed = 7;
    d.imageSize = 32;
    d.colorMode = ColorMode::Grayscale;
    d.rescale = 1.0 / 127.5;
    d.cacheBudgetBytes = qint64(512) * 1024 * 1024;
    d.normalization = Normalization::Range;
    d.rangeLow = 100;
    d.rangeHigh = 4095;
    d.percentileLow = 1;
    d.percentileHigh = 99.5;
    d.resize = ResizeMode::Pad;
    d.padValue = 0.25;

    AugmentationSettings& a = p.augmentation;
    a.enabled = false;
    a.rotationRange = 15;
    a.widthShiftRange = 0.1;
    a.heightShiftRange = 0.15;
    a.shearRange = 5;
    a.zoomLow = 0.8;
    a.zoomHigh = 1.25;
    a.horizontalFlip = true;
    a.verticalFlip = true;
    a.brightnessLow = 0.7;
    a.brightnessHigh = 1.3;
    a.fillMode = FillMode::Reflect;
    a.cval = 12;
    p.dataset.groupBy = GroupBy::Pattern;
    p.dataset.groupPattern = QStringLiteral("^(slide\\d+)_");

    p.model = loadTemplate(QStringLiteral("small")).value().model;
    p.model.layers[3].strides = Size2{1, 1};
    p.model.layers[3].padding = Padding::Same;
    p.model.layers[0].trainable = false;
    p.model.initFrom = QStringLiteral("/models/fashion/model.pt");

    TrainingSettings& t = p.training;
    t.optimizer.kind = OptimizerKind::RmsProp;
    t.optimizer.rmsprop.rho = 0.8;
    t.optimizer.rmsprop.momentum = 0.5;
    t.optimizer.rmsprop.epsilon = 1e-6;
    t.optimizer.rmsprop.centered = true;
    t.learningRate = 3e-4;
    t.decay = 1e-3;
    t.weightDecay = 5e-4;
    t.labelSmoothing = 0.1;
    t.classWeights = ClassWeighting::BalancedSampling;
    t.batchNormStatistics = BatchNormStatistics::MovingAverage;
    t.precision = Precision::MixedBFloat16;
    t.batchSize = 64;
    t.epochs = 12;
    t.seed = 123456789;
    t.threads = 2;
    t.callbacks.earlyStopping = {true, QStringLiteral("val_accuracy"), 3, 0.001, false};
    t.callbacks.reduceLrOnPlateau = {true, QStringLiteral("loss"), 0.5, 2, 0.01, 1, 1e-6};
    t.callbacks.terminateOnNan = false;
    t.callbacks.modelCheckpoint = {false, QStringLiteral("accuracy"), false};
    return p;
}

// The error of projectFromJson for a project whose `section` is `body`.
QString errorFor(const QByteArray& text)
{
    const Result<LoadedProject> loaded = projectFromJson(text, QString(), QStringLiteral("p.json"));
    return loaded.ok() ? QStringLiteral("(loaded)") : loaded.error();
}

QByteArray withSection(const char* section, const char* body)
{
    return QByteArray(R"({"version": "1.0", "model": {"layers": [{"type": "Flatten"},
        {"type": "Dense", "units": 2}]}, ")") +
           section + "\": " + body + "}";
}

} // namespace

class TestProject : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultProjectRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        const Project project = defaultProject();
        QCOMPARE(project.model, loadTemplate(QStringLiteral("seed")).value().model);
        QVERIFY(saveProject(path, project).ok());
        const Result<LoadedProject> loaded = loadProject(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QVERIFY2(loaded->warnings.isEmpty(), qPrintable(loaded->warnings.join('\n')));
        QVERIFY(sameProject(loaded->project, project));
        // Only the project file is left in the folder (the temporary file was renamed).
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("p.json")});
    }

    // channels and color_mode say the same thing: one is written, both are refused, and
    // setting one replaces the other.
    // value_range with one [low, high] per channel comes back as written; a count that is not
    // the channel count, or a pair whose low is not below its high, is refused by path.
    void valueRangePerChannel()
    {
        Project project;
        project.dataset.channelList = {0, 1};
        project.dataset.normalization = Normalization::Range;
        project.dataset.channelRanges = {{0, 4095}, {10, 255}};
        const QByteArray json = projectToJson(project);
        QVERIFY2(json.contains("[\n") || json.contains("[["), json.constData());
        const Result<LoadedProject> back = projectFromJson(json);
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->project.dataset.channelRanges, project.dataset.channelRanges);
        QVERIFY(back->project.dataset == project.dataset);

        QByteArray three = json;
        QJsonObject root = QJsonDocument::fromJson(json).object();
        QJsonObject dataset = root[QStringLiteral("dataset")].toObject();
        dataset.insert(QStringLiteral("value_range"),
                       QJsonArray{QJsonArray{0, 1}, QJsonArray{0, 2}, QJsonArray{0, 3}});
        root.insert(QStringLiteral("dataset"), dataset);
        const Result<LoadedProject> wrong = projectFromJson(QJsonDocument(root).toJson());
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().contains(QStringLiteral("dataset.value_range")) &&
                     wrong.error().contains(QStringLiteral("3 ranges")),
                 qPrintable(wrong.error()));
        dataset.insert(QStringLiteral("value_range"),
                       QJsonArray{QJsonArray{0, 1}, QJsonArray{5, 2}});
        root.insert(QStringLiteral("dataset"), dataset);
        const Result<LoadedProject> reversed = projectFromJson(QJsonDocument(root).toJson());
        QVERIFY(!reversed.ok());
        QVERIFY2(reversed.error().contains(QStringLiteral("dataset.value_range")),
                 qPrintable(reversed.error()));
    }

    void channelsReplaceTheColourMode()
    {
        Project project;
        project.dataset.root = QStringLiteral("/data/cells");
        project.dataset.channelList = {3, 0};
        const QJsonObject dataset = QJsonDocument::fromJson(projectToJson(project))
                                        .object()[QStringLiteral("dataset")]
                                        .toObject();
        QCOMPARE(dataset[QStringLiteral("channels")].toArray(), (QJsonArray{4, 1}));
        QVERIFY(!dataset.contains(QStringLiteral("color_mode")));
        const Result<LoadedProject> loaded = projectFromJson(projectToJson(project));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->project.dataset.channelList, (QVector<int>{3, 0}));

        QJsonObject both = QJsonDocument::fromJson(projectToJson(project)).object();
        QJsonObject bothDataset = both[QStringLiteral("dataset")].toObject();
        bothDataset.insert(QStringLiteral("color_mode"), QStringLiteral("rgb"));
        both.insert(QStringLiteral("dataset"), bothDataset);
        const Result<LoadedProject> refused = projectFromJson(QJsonDocument(both).toJson());
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QStringLiteral("dataset.channels")) &&
                     refused.error().contains(QStringLiteral("color_mode")),
                 qPrintable(refused.error()));

        QVERIFY(setProjectValue(&project, QStringLiteral("dataset.color_mode"),
                                QStringLiteral("grayscale"))
                    .ok());
        QVERIFY(project.dataset.channelList.isEmpty());
        QCOMPARE(project.dataset.colorMode, ColorMode::Grayscale);
        QVERIFY(setProjectValue(&project, QStringLiteral("dataset.channels"), QJsonArray{2}).ok());
        QCOMPARE(project.dataset.channelList, QVector<int>{1});
        // An older project has no normalization key: the 8-bit path, as before.
        QCOMPARE(defaultProject().dataset.normalization, Normalization::Legacy);
    }

    void everySettingRoundTrips()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        const Project project = unusualProject(QStringLiteral("/data/flowers"));
        QVERIFY(!sameProject(project, Project()));
        QVERIFY(saveProject(path, project).ok());
        const Result<LoadedProject> loaded = loadProject(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QVERIFY2(loaded->warnings.isEmpty(), qPrintable(loaded->warnings.join('\n')));
        QVERIFY(sameProject(loaded->project, project));
        QCOMPARE(loaded->project.dataset.cacheBudgetBytes, project.dataset.cacheBudgetBytes);
        QCOMPARE(loaded->project.training.seed, project.training.seed);
        QCOMPARE(loaded->project.model, project.model);
        // Field by field for the settings sameProject compares through the writer.
        QCOMPARE(loaded->project.training.classWeights, ClassWeighting::BalancedSampling);
        QCOMPARE(loaded->project.training.batchNormStatistics, BatchNormStatistics::MovingAverage);
        QCOMPARE(loaded->project.training.precision, Precision::MixedBFloat16);
        QCOMPARE(loaded->project.dataset.groupBy, GroupBy::Pattern);
        QCOMPARE(loaded->project.dataset.groupPattern, QStringLiteral("^(slide\\d+)_"));

        // Saving the loaded project writes the same bytes: the format is stable.
        QFile first(path);
        QVERIFY(first.open(QIODevice::ReadOnly));
        const QByteArray bytes = first.readAll();
        QCOMPARE(projectToJson(loaded->project, dir.path()), bytes);

        // Each optimizer's own parameters round-trip.
        for (OptimizerKind kind : {OptimizerKind::Adam, OptimizerKind::Sgd}) {
            Project other = project;
            other.training.optimizer = OptimizerSettings();
            other.training.optimizer.kind = kind;
            other.training.optimizer.adam = {0.8, 0.99, 1e-8, true};
            other.training.optimizer.sgd = {0.9, true};
            if (kind == OptimizerKind::Adam) {
                other.training.optimizer.sgd = SgdSettings();
            } else {
                other.training.optimizer.adam = AdamSettings();
            }
            const Result<LoadedProject> back = projectFromJson(projectToJson(other));
            QVERIFY2(back.ok(), qPrintable(back.error()));
            QVERIFY(sameProject(back->project, other));
        }
    }

    // Each setting changed alone is seen by sameProject() and survives the writer and the
    // reader: a field both of them dropped would fail here (sameProject compares members, not
    // the writer's output).
    void eachSettingAloneRoundTrips()
    {
        using Change = std::function<void(Project&)>;
        const QVector<QPair<const char*, Change>> changes = {
            {"root", [](Project& p) { p.dataset.root = QStringLiteral("/data/cells"); }},
            {"split_mode", [](Project& p) { p.dataset.splitMode = SplitMode::Auto; }},
            {"split",
             [](Project& p) {
                 p.dataset.trainRatio = 0.6;
                 p.dataset.validationRatio = 0.3;
             }},
            {"split.test",
             [](Project& p) {
                 p.dataset.trainRatio = 0.7;
                 p.dataset.testRatio = 0.2;
             }},
            {"split_seed", [](Project& p) { p.dataset.splitSeed = 9; }},
            {"group_by", [](Project& p) { p.dataset.groupBy = GroupBy::Folder; }},
            {"group_pattern",
             [](Project& p) {
                 p.dataset.groupBy = GroupBy::Pattern;
                 p.dataset.groupPattern = QStringLiteral("^(s\\d+)");
             }},
            {"image_size", [](Project& p) { p.dataset.imageSize = 40; }},
            {"color_mode", [](Project& p) { p.dataset.colorMode = ColorMode::Grayscale; }},
            {"rescale", [](Project& p) { p.dataset.rescale = 0.5; }},
            {"cache_budget_mb", [](Project& p) { p.dataset.cacheBudgetBytes = 3 << 20; }},
            {"augmentation.enabled", [](Project& p) { p.augmentation.enabled = false; }},
            {"rotation_range", [](Project& p) { p.augmentation.rotationRange = 30; }},
            {"width_shift_range", [](Project& p) { p.augmentation.widthShiftRange = 0.2; }},
            {"height_shift_range", [](Project& p) { p.augmentation.heightShiftRange = 0.2; }},
            {"shear_range", [](Project& p) { p.augmentation.shearRange = 10; }},
            {"zoom_range.low", [](Project& p) { p.augmentation.zoomLow = 0.9; }},
            {"zoom_range.high", [](Project& p) { p.augmentation.zoomHigh = 1.2; }},
            {"horizontal_flip", [](Project& p) { p.augmentation.horizontalFlip = true; }},
            {"vertical_flip", [](Project& p) { p.augmentation.verticalFlip = true; }},
            {"brightness_range.low", [](Project& p) { p.augmentation.brightnessLow = 0.8; }},
            {"brightness_range.high", [](Project& p) { p.augmentation.brightnessHigh = 1.1; }},
            {"fill_mode", [](Project& p) { p.augmentation.fillMode = FillMode::Wrap; }},
            {"cval", [](Project& p) { p.augmentation.cval = 7; }},
            {"layers", [](Project& p) { p.model.layers[0].filters = 5; }},
            {"trainable", [](Project& p) { p.model.layers[0].trainable = false; }},
            {"init_from", [](Project& p) { p.model.initFrom = QStringLiteral("/m/model.pt"); }},
            {"optimizer.name", [](Project& p) { p.training.optimizer.kind = OptimizerKind::Sgd; }},
            {"beta_1", [](Project& p) { p.training.optimizer.adam.beta1 = 0.8; }},
            {"beta_2", [](Project& p) { p.training.optimizer.adam.beta2 = 0.99; }},
            {"adam.epsilon", [](Project& p) { p.training.optimizer.adam.epsilon = 1e-6; }},
            {"amsgrad", [](Project& p) { p.training.optimizer.adam.amsgrad = true; }},
            {"sgd.momentum",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::Sgd;
                 p.training.optimizer.sgd.momentum = 0.9;
             }},
            {"nesterov",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::Sgd;
                 p.training.optimizer.sgd.nesterov = true;
             }},
            {"rho",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::RmsProp;
                 p.training.optimizer.rmsprop.rho = 0.7;
             }},
            {"rmsprop.momentum",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::RmsProp;
                 p.training.optimizer.rmsprop.momentum = 0.3;
             }},
            {"rmsprop.epsilon",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::RmsProp;
                 p.training.optimizer.rmsprop.epsilon = 1e-5;
             }},
            {"centered",
             [](Project& p) {
                 p.training.optimizer.kind = OptimizerKind::RmsProp;
                 p.training.optimizer.rmsprop.centered = true;
             }},
            {"learning_rate", [](Project& p) { p.training.learningRate = 0.01; }},
            {"decay", [](Project& p) { p.training.decay = 0.001; }},
            {"weight_decay", [](Project& p) { p.training.weightDecay = 1e-4; }},
            {"label_smoothing", [](Project& p) { p.training.labelSmoothing = 0.1; }},
            {"class_weights",
             [](Project& p) { p.training.classWeights = ClassWeighting::Balanced; }},
            {"batch_size", [](Project& p) { p.training.batchSize = 33; }},
            {"batch_norm_statistics",
             [](Project& p) {
                 p.training.batchNormStatistics = BatchNormStatistics::MovingAverage;
             }},
            {"epochs", [](Project& p) { p.training.epochs = 3; }},
            {"seed", [](Project& p) { p.training.seed = 5; }},
            {"threads", [](Project& p) { p.training.threads = 1; }},
            {"early_stopping.enabled",
             [](Project& p) { p.training.callbacks.earlyStopping.enabled = true; }},
            {"early_stopping.monitor",
             [](Project& p) {
                 p.training.callbacks.earlyStopping.monitor = QStringLiteral("val_accuracy");
             }},
            {"early_stopping.patience",
             [](Project& p) { p.training.callbacks.earlyStopping.patience = 2; }},
            {"early_stopping.min_delta",
             [](Project& p) { p.training.callbacks.earlyStopping.minDelta = 0.01; }},
            {"restore_best_weights",
             [](Project& p) { p.training.callbacks.earlyStopping.restoreBestWeights = false; }},
            {"reduce_lr_on_plateau.enabled",
             [](Project& p) { p.training.callbacks.reduceLrOnPlateau.enabled = true; }},
            {"reduce_lr_on_plateau.monitor",
             [](Project& p) {
                 p.training.callbacks.reduceLrOnPlateau.monitor = QStringLiteral("loss");
             }},
            {"factor", [](Project& p) { p.training.callbacks.reduceLrOnPlateau.factor = 0.5; }},
            {"reduce_lr_on_plateau.patience",
             [](Project& p) { p.training.callbacks.reduceLrOnPlateau.patience = 3; }},
            {"reduce_lr_on_plateau.min_delta",
             [](Project& p) { p.training.callbacks.reduceLrOnPlateau.minDelta = 0.02; }},
            {"cooldown", [](Project& p) { p.training.callbacks.reduceLrOnPlateau.cooldown = 2; }},
            {"min_lr", [](Project& p) { p.training.callbacks.reduceLrOnPlateau.minLr = 1e-6; }},
            {"terminate_on_nan", [](Project& p) { p.training.callbacks.terminateOnNan = false; }},
            {"model_checkpoint.enabled",
             [](Project& p) { p.training.callbacks.modelCheckpoint.enabled = false; }},
            {"model_checkpoint.monitor",
             [](Project& p) {
                 p.training.callbacks.modelCheckpoint.monitor = QStringLiteral("val_accuracy");
             }},
            {"save_best_only",
             [](Project& p) { p.training.callbacks.modelCheckpoint.saveBestOnly = false; }},
        };
        const Project base = defaultProject();
        for (const auto& [name, change] : changes) {
            Project changed = base;
            change(changed);
            QVERIFY2(!sameProject(changed, base), name);
            const Result<LoadedProject> back = projectFromJson(projectToJson(changed));
            QVERIFY2(back.ok(),
                     qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(name), back.error())));
            QVERIFY2(sameProject(back->project, changed), name);
        }
    }

    void fileIsReadable()
    {
        const QByteArray text = projectToJson(defaultProject());
        const QString s = QString::fromUtf8(text);
        // Sections in a meaningful order, a layer per line, type first, short lists inline.
        const int version = int(s.indexOf(QLatin1String("\"version\": \"1.0\"")));
        const int dataset = int(s.indexOf(QLatin1String("\"dataset\"")));
        const int augmentation = int(s.indexOf(QLatin1String("\"augmentation\"")));
        const int model = int(s.indexOf(QLatin1String("\"model\"")));
        const int training = int(s.indexOf(QLatin1String("\"training\"")));
        QVERIFY(version >= 0 && version < dataset && dataset < augmentation &&
                augmentation < model && model < training);
        QVERIFY2(s.contains(QLatin1String(
                     "{\"type\": \"Conv2D\", \"filters\": 12, \"kernel_size\": [2, 2], "
                     "\"padding\": \"valid\", \"activation\": \"relu\", \"use_bias\": true}")),
                 qPrintable(s));
        QVERIFY(s.contains(QLatin1String("\"batch_size\": 20")));
        QVERIFY(s.contains(QLatin1String("\"learning_rate\": 0.001")));
        QVERIFY(s.contains(QLatin1String("\"epsilon\": 1e-07")));
        QVERIFY(s.contains(QLatin1String("\"zoom_range\": [1, 1]")));
        QVERIFY(s.contains(QLatin1String("\"brightness_range\": null")));
        // It is plain JSON any tool reads.
        QJsonParseError error;
        QJsonDocument::fromJson(text, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }

    void kerasFormsAreAccepted()
    {
        const Result<LoadedProject> loaded = projectFromJson(R"({
            "version": 1,
            "augmentation": {"zoom_range": 0.2, "brightness_range": [0.5, 1.5]},
            "model": {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2}]},
            "training": {"optimizer": "sgd"}})");
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->project.augmentation.zoomLow, 0.8);
        QCOMPARE(loaded->project.augmentation.zoomHigh, 1.2);
        QCOMPARE(loaded->project.augmentation.brightnessLow, 0.5);
        QCOMPARE(loaded->project.training.optimizer.kind, OptimizerKind::Sgd);
        QCOMPARE(loaded->project.training.batchSize, 20); // missing keys keep the defaults
    }

    void relativeRootIsResolvedAgainstTheProjectFolder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(withSection("dataset", R"({"root": "images/flowers"})"));
        file.close();
        const Result<LoadedProject> loaded = loadProject(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->project.dataset.root,
                 QDir(dir.path()).absoluteFilePath(QStringLiteral("images/flowers")));
        // Saved back, the root inside the project folder stays relative.
        QVERIFY(saveProject(path, loaded->project).ok());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\"root\": \"images/flowers\""));
        // A root outside the folder stays absolute.
        Project outside = loaded->project;
        outside.dataset.root = QStringLiteral("/srv/data");
        QVERIFY(projectToJson(outside, dir.path()).contains("\"root\": \"/srv/data\""));
    }

    void rejectsWrongValuesWithTheirPath()
    {
        struct Case
        {
            const char* section;
            const char* body;
            const char* expected;
        };
        const Case cases[] = {
            {"training", R"({"batch_size": -3})",
             "training.batch_size must be an integer from 1 to 65536, got -3"},
            {"training", R"({"batch_size": 2.5})",
             "training.batch_size must be an integer from 1 to 65536, got 2.5"},
            {"training", R"({"epochs": "ten"})",
             "training.epochs must be an integer from 1 to 100000, got \"ten\""},
            {"training", R"({"learning_rate": 0})",
             "training.learning_rate must be a number in (0, 1000000], got 0"},
            {"training", R"({"label_smoothing": 1})",
             "training.label_smoothing must be a number in [0, 1), got 1"},
            {"training", R"({"threads": -1})",
             "training.threads must be an integer from 0 to 1024, got -1"},
            {"training", R"({"optimizer": {"name": "adagrad"}})",
             "training.optimizer.name must be one of \"adam\", \"sgd\" or \"rmsprop\", got "
             "\"adagrad\""},
            {"training", R"({"optimizer": {"name": "adam", "beta_1": 1}})",
             "training.optimizer.beta_1 must be a number in [0, 1), got 1"},
            {"dataset", "{\"group_by\": \"pattern\", \"group_pattern\": \"[unclosed\"}",
             "dataset.group_pattern must be a regular expression"},
            {"dataset", R"({"group_by": "specimen"})",
             "dataset.group_by must be one of \"none\", \"folder\" or \"pattern\""},
            {"training", R"({"batch_norm_statistics": "keras"})",
             "training.batch_norm_statistics must be one of \"recompute\" or \"moving_average\""},
            {"training", R"({"class_weights": true})",
             "training.class_weights must be one of \"none\", \"balanced\" or "
             "\"balanced_sampling\", got true"},
            {"training", R"({"callbacks": {"early_stopping": {"monitor": "val_los"}}})",
             "training.callbacks.early_stopping.monitor must be one of \"val_loss\", "
             "\"val_accuracy\", \"loss\" or \"accuracy\", got \"val_los\""},
            {"training", R"({"callbacks": {"reduce_lr_on_plateau": {"factor": 1.5}}})",
             "training.callbacks.reduce_lr_on_plateau.factor must be a number in (0, 1), got "
             "1.5"},
            {"training", R"({"callbacks": {"terminate_on_nan": "yes"}})",
             "training.callbacks.terminate_on_nan must be true or false, got \"yes\""},
            {"training", "[]", "training must be an object, got []"},
            {"dataset", R"({"image_size": 4})",
             "dataset.image_size must be an integer from 8 to 1024, got 4"},
            {"dataset", R"({"image_size": "64"})",
             "dataset.image_size must be an integer from 8 to 1024, got \"64\""},
            {"dataset", R"({"color_mode": "rgba"})",
             "dataset.color_mode must be one of \"rgb\" or \"grayscale\", got \"rgba\""},
            {"dataset", R"({"split": {"train": 0.8, "validation": 0.3, "test": 0.1}})",
             "dataset.split must add up to 1, got 0.8 + 0.3 + 0.1 = 1.2"},
            {"dataset", R"({"split": {"train": 1.5}})",
             "dataset.split.train must be a number in (0, 1], got 1.5"},
            {"dataset", R"({"root": 5})", "dataset.root must be a string, got 5"},
            {"dataset", R"({"cache_budget_mb": -1})",
             "dataset.cache_budget_mb must be a number in [0, 1073741824], got -1"},
            {"augmentation", R"({"rotation_range": 400})",
             "augmentation.rotation_range must be a number in [0, 180], got 400"},
            {"augmentation", R"({"zoom_range": [1.2, 0.8]})",
             "augmentation.zoom_range must be a list [low, high] with low <= high, each a "
             "number in (0, 5], got [1.2,0.8]"},
            {"augmentation", R"({"fill_mode": "mirror"})",
             "augmentation.fill_mode must be one of \"nearest\", \"constant\", \"reflect\" or "
             "\"wrap\", got \"mirror\""},
            {"augmentation", R"({"horizontal_flip": 1})",
             "augmentation.horizontal_flip must be true or false, got 1"},
            {"model", R"({"layers": [{"type": "Dropout", "rate": 1}]})",
             "model.layers[0].rate must be a number in [0, 1), got 1"},
            {"model", R"({"layers": [{"type": "Conv2D", "filters": 0, "kernel_size": 3}]})",
             "model.layers[0].filters must be an integer from 1 to 4096, got 0"},
            {"model", R"({"layers": {}})", "model.layers must be a list of layers, got an object"},
        };
        for (const Case& c : cases) {
            const QString error = errorFor(withSection(c.section, c.body));
            QVERIFY2(error.contains(QString::fromUtf8(c.expected)),
                     qPrintable(QStringLiteral("expected: %1\ngot: %2")
                                    .arg(QString::fromUtf8(c.expected), error)));
            QVERIFY(error.startsWith(QLatin1String("p.json")));
        }
    }

    // One setting set through the reader: checked as loading checks it; a bad value changes
    // nothing and names the path.
    void setProjectValueChecksLikeTheReader()
    {
        Project project = unusualProject(QStringLiteral("/data/flowers"));
        const Project before = project;
        QVERIFY(setProjectValue(&project, QStringLiteral("training.class_weights"),
                                QStringLiteral("balanced"))
                    .ok());
        QCOMPARE(project.training.classWeights, ClassWeighting::Balanced);
        Project expected = before;
        expected.training.classWeights = ClassWeighting::Balanced;
        QVERIFY(sameProject(project, expected)); // nothing else moved, unchosen optimizers too
        const Status bad = setProjectValue(&project, QStringLiteral("training.class_weights"),
                                           QStringLiteral("heavy"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QStringLiteral("training.class_weights must be one of")),
                 qPrintable(bad.error()));
        QVERIFY(sameProject(project, expected));
    }

    void reportsAllProblemsTogether()
    {
        const QString error = errorFor(R"({"version": "1.0",
            "dataset": {"image_size": 0},
            "model": {"layers": [{"type": "Dense", "units": -1}]},
            "training": {"batch_size": -3, "epochs": 0}})");
        QVERIFY2(error.contains(QLatin1String("has 4 problems")), qPrintable(error));
        QVERIFY(error.contains(QLatin1String("dataset.image_size")));
        QVERIFY(error.contains(QLatin1String("model.layers[0].units")));
        QVERIFY(
            error.contains(QLatin1String("training.batch_size must be an integer from 1 to 65536, "
                                         "got -3")));
        QVERIFY(error.contains(QLatin1String("training.epochs")));
    }

    void missingModelIsRejected()
    {
        const QString error = errorFor(R"({"version": "1.0"})");
        QVERIFY2(error.contains(QLatin1String("model is missing")), qPrintable(error));
    }

    void warnsAboutUnknownKeys()
    {
        const Result<LoadedProject> loaded = projectFromJson(R"({"version": "1.0",
            "comment": "try 2",
            "dataset": {"image_sise": 32},
            "model": {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2,
                                                       "kernel_size": 3}]},
            "training": {"optimizer": {"name": "sgd", "beta_1": 0.9},
                         "callbacks": {"early_stopping": {"enabled": true, "wait": 3}}}})");
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->warnings,
                 (QStringList{QStringLiteral("unknown key dataset.image_sise is ignored"),
                              QStringLiteral("unknown key model.layers[1].kernel_size is ignored"),
                              QStringLiteral("unknown key training.optimizer.beta_1 is ignored"),
                              QStringLiteral("unknown key "
                                             "training.callbacks.early_stopping.wait is ignored"),
                              QStringLiteral("unknown key comment is ignored")}));
        QVERIFY(loaded->project.training.callbacks.earlyStopping.enabled);
    }

    void versions()
    {
        const QByteArray model = R"("model": {"layers": [{"type": "Flatten"},
                                    {"type": "Dense", "units": 2}]})";
        // A newer major version is refused with a clear message.
        QString error = errorFor("{\"version\": \"2.0\", " + model + "}");
        QVERIFY2(error.contains(QLatin1String("project format 2.0")), qPrintable(error));
        QVERIFY(error.contains(QLatin1String("newer Classifier Studio")));
        QVERIFY(errorFor("{\"version\": 3, " + model + "}").contains(QLatin1String("3.0")));
        // A newer minor version loads with a warning.
        Result<LoadedProject> loaded = projectFromJson("{\"version\": \"1.7\", " + model + "}");
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->warnings.size(), 1);
        QVERIFY(loaded->warnings[0].contains(QLatin1String("1.7")));
        // Garbage is refused; a missing version is read as the current one.
        error = errorFor("{\"version\": \"one\", " + model + "}");
        QVERIFY2(error.contains(QLatin1String("version must be a string \"MAJOR.MINOR\"")),
                 qPrintable(error));
        loaded = projectFromJson("{" + model + "}");
        QVERIFY(loaded.ok());
        QVERIFY(loaded->warnings.value(0).contains(QLatin1String("version is missing")));
    }

    void unreadableFilesNameTheFile()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("nothing.json"));
        Result<LoadedProject> loaded = loadProject(missing);
        QVERIFY(!loaded.ok());
        QVERIFY(loaded.error().contains(missing));

        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"version\": \"1.0\",\n  \"model\": {\"layers\": [}\n}\n");
        file.close();
        loaded = loadProject(broken);
        QVERIFY(!loaded.ok());
        QVERIFY(loaded.error().contains(broken));
        QVERIFY2(loaded.error().contains(QLatin1String("line 3")), qPrintable(loaded.error()));

        QVERIFY(errorFor("[1, 2]").contains(QLatin1String("must contain a JSON object")));
    }

    void savingIntoAMissingFolderFails()
    {
        QTemporaryDir dir;
        const Status status =
            saveProject(dir.filePath(QStringLiteral("no/such/folder/p.json")), defaultProject());
        QVERIFY(!status.ok());
        QVERIFY(!status.error().isEmpty());
    }

    void readableJsonOrdersUnknownKeysLast()
    {
        const QJsonObject object{{QStringLiteral("zeta"), 1},
                                 {QStringLiteral("training"), QJsonObject()},
                                 {QStringLiteral("alpha"), QJsonArray{1.5, 2}},
                                 {QStringLiteral("version"), QStringLiteral("1.0")}};
        QCOMPARE(toReadableJson(object),
                 QByteArray("{\n    \"version\": \"1.0\",\n    \"training\": {},\n"
                            "    \"alpha\": [1.5, 2],\n    \"zeta\": 1\n}\n"));
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "tst_project.moc"
