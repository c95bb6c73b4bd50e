// The settings schema against the project file: every field's default is what a new project
// holds, and every field's least, greatest and a middle value (or each of its names) survive
// save and load, while a value just outside is refused with a message naming the setting.
#include "model/layerschema.h"
#include "project/project.h"
#include "project/settingsschema.h"
#include "project/trainingschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

// The value at "a.b.c" in a JSON object; Undefined when a key is missing.
QJsonValue valueAt(const QJsonObject& root, const QString& path)
{
    QJsonValue value = root;
    for (const QString& key : path.split(QLatin1Char('.'))) {
        value = value.toObject().value(key);
    }
    return value;
}

QJsonObject projectJson(const Project& project)
{
    return QJsonDocument::fromJson(projectToJson(project)).object();
}

// The optimizer whose parameters a training.optimizer field is, so that it is the one written.
OptimizerKind optimizerOf(const SettingField* field)
{
    const TrainingSchema& t = trainingSchema();
    for (const SettingField* sgd : {&t.sgdMomentum, &t.sgdNesterov}) {
        if (field == sgd) {
            return OptimizerKind::Sgd;
        }
    }
    for (const SettingField* rms : {&t.rmsRho, &t.rmsMomentum, &t.rmsEpsilon, &t.rmsCentered}) {
        if (field == rms) {
            return OptimizerKind::RmsProp;
        }
    }
    return OptimizerKind::Adam;
}

// JSON numbers compare as numbers (42 and 42.0 are the same).
bool sameJson(const QJsonValue& a, const QJsonValue& b)
{
    return a.isDouble() && b.isDouble() ? a.toDouble() == b.toDouble() : a == b;
}

// Sets the field; a split share takes the rest of 1 from another share, as the shares must
// add up to 1 (train's rest goes to validation, the others' to train).
Status setField(Project* project, const SettingField& field, const QJsonValue& value)
{
    if (field.path() == QLatin1String("dataset.group_by") && value == QJsonValue("pattern")) {
        // Grouping by a pattern needs the pattern.
        const Status pattern = setProjectValue(project, QStringLiteral("dataset.group_pattern"),
                                               QStringLiteral("^(slide\\d+)_"));
        if (!pattern.ok()) {
            return pattern;
        }
    }
    if (field.section != QLatin1String("dataset.split") || !value.isDouble()) {
        return setProjectValue(project, field.path(), value);
    }
    const QString other = field.key == QLatin1String("train") ? QStringLiteral("validation")
                                                              : QStringLiteral("train");
    QJsonObject split{{QStringLiteral("train"), 0.0},
                      {QStringLiteral("validation"), 0.0},
                      {QStringLiteral("test"), 0.0}};
    split.insert(other, 1 - value.toDouble());
    split.insert(field.key, value);
    return setProjectValue(project, QStringLiteral("dataset.split"), split);
}

Project projectFor(const SettingField* field)
{
    Project project = defaultProject();
    project.training.optimizer.kind = optimizerOf(field);
    return project;
}

// The values the field must take: its ends and a value between (numbers), or every name.
QVector<QJsonValue> valuesInside(const SettingField& field)
{
    QVector<QJsonValue> values;
    switch (field.kind) {
    case SettingKind::Integer:
        return {field.formMinimum(), field.formMaximum(),
                std::floor((field.formMinimum() + field.formMaximum()) / 2)};
    case SettingKind::Number:
        return {field.formMinimum(), field.formMaximum(),
                (field.formMinimum() + field.formMaximum()) / 2};
    case SettingKind::NumberPair:
        if (field.strictPair) {
            return {
                QJsonArray{field.formMinimum(), field.formMaximum()},
                QJsonArray{field.formMinimum(), (field.formMinimum() + field.formMaximum()) / 2}};
        }
        return {QJsonArray{field.formMinimum(), field.formMaximum()},
                QJsonArray{field.formMaximum(), field.formMaximum()}};
    case SettingKind::IntegerList:
        return {QJsonArray{field.formMinimum()}, QJsonArray{field.formMaximum(), 1.0, 2.0}};
    case SettingKind::Choice:
        for (const QString& name : field.choiceNames()) {
            values << name;
        }
        return values;
    case SettingKind::Flag:
        return {true, false};
    case SettingKind::Text:
        return {};
    }
    return values;
}

// Values just outside the range, and a name that is none of the choices.
QVector<QJsonValue> valuesOutside(const SettingField& field)
{
    const NumberRange& r = field.range;
    const double below = r.minimumOpen ? r.minimum : std::nextafter(r.minimum, -1e300);
    const double above = r.maximumOpen ? r.maximum : std::nextafter(r.maximum, 1e300);
    switch (field.kind) {
    case SettingKind::Integer:
        return {field.formMinimum() - 1, field.formMaximum() + 1, field.formMinimum() + 0.5};
    case SettingKind::Number:
        return {below, above};
    case SettingKind::NumberPair:
        if (field.strictPair) {
            return {QJsonArray{below, field.formMaximum()}, QJsonArray{field.formMinimum(), above},
                    QJsonArray{field.formMaximum(), field.formMinimum()},
                    QJsonArray{field.formMaximum(), field.formMaximum()}};
        }
        return {QJsonArray{below, field.formMaximum()}, QJsonArray{field.formMinimum(), above},
                QJsonArray{field.formMaximum(), field.formMinimum()}};
    case SettingKind::IntegerList:
        return {QJsonArray{},
                QJsonArray{field.formMinimum() - 1},
                QJsonArray{field.formMaximum() + 1},
                QJsonArray{2.0, 2.0},
                QJsonArray{1.5},
                QStringLiteral("1")};
    case SettingKind::Choice:
        return {QStringLiteral("no-such-choice")};
    case SettingKind::Flag:
        return {QStringLiteral("yes")};
    case SettingKind::Text:
        return {};
    }
    return {};
}

} // namespace

class TestSettingsSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFieldIsNamedAndLabelledOnce()
    {
        QSet<QString> paths;
        for (const SettingField* field : allSettingFields()) {
            QVERIFY2(!field->key.isEmpty() && !field->label.isEmpty() && !field->help.isEmpty(),
                     qPrintable(field->path()));
            QVERIFY2(field->label != field->key, qPrintable(field->path() + ": no plain label"));
            if (field->kind == SettingKind::Integer || field->kind == SettingKind::Number) {
                QVERIFY2(std::isfinite(field->formMinimum()) && std::isfinite(field->formMaximum()),
                         qPrintable(field->path() + ": a form needs finite ends"));
            }
            // Only SGD's and RMSprop's parameters share paths (one optimizer is written).
            if (paths.contains(field->path())) {
                QVERIFY2(field->section == QLatin1String("training.optimizer"),
                         qPrintable(field->path()));
            }
            paths.insert(field->path());
        }
        QVERIFY(paths.size() > 50);
    }

    void everyDefaultIsTheNewProjectsValue()
    {
        for (const SettingField* field : allSettingFields()) {
            const QJsonValue written = valueAt(projectJson(projectFor(field)), field->path());
            if (written.isUndefined()) {
                // Written when set (channels replaces color_mode; no normalization: Legacy).
                const QStringList whenSet = {
                    QStringLiteral("dataset.group_pattern"), QStringLiteral("dataset.channels"),
                    QStringLiteral("dataset.normalization"), QStringLiteral("dataset.value_range"),
                    QStringLiteral("dataset.percentiles")};
                QVERIFY2(whenSet.contains(field->path()), qPrintable(field->path()));
                continue;
            }
            if (field == &datasetSchemaRoot()) {
                continue; // the dataset folder is the user's
            }
            QVERIFY2(
                sameJson(written, field->defaultValue),
                qPrintable(
                    QStringLiteral("%1: the project holds %2, the schema says %3")
                        .arg(field->path(),
                             QString::fromUtf8(
                                 QJsonDocument(QJsonArray{written}).toJson(QJsonDocument::Compact)),
                             QString::fromUtf8(QJsonDocument(QJsonArray{field->defaultValue})
                                                   .toJson(QJsonDocument::Compact)))));
        }
    }

    void everyValueInsideSurvivesSaveAndLoad()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        int checked = 0;
        for (const SettingField* field : allSettingFields()) {
            for (const QJsonValue& value : valuesInside(*field)) {
                Project project = projectFor(field);
                const Status set = setField(&project, *field, value);
                QVERIFY2(set.ok(), qPrintable(field->path() + QStringLiteral(": ") + set.error()));
                const Status saved = saveProject(path, project);
                QVERIFY2(saved.ok(), qPrintable(saved.error()));
                const Result<LoadedProject> loaded = loadProject(path);
                QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
                QVERIFY2(sameProject(loaded->project, project), qPrintable(field->path()));
                const QJsonValue back = valueAt(projectJson(loaded->project), field->path());
                QVERIFY2(sameJson(back, value), qPrintable(field->path()));
                ++checked;
            }
        }
        QVERIFY(checked > 150);
    }

    void everyValueOutsideIsRefusedNamingTheSetting()
    {
        for (const SettingField* field : allSettingFields()) {
            for (const QJsonValue& value : valuesOutside(*field)) {
                Project project = projectFor(field);
                const Project before = project;
                const Status set = setProjectValue(&project, field->path(), value);
                QVERIFY2(!set.ok(), qPrintable(field->path() + QStringLiteral(" took a value "
                                                                              "outside")));
                QVERIFY2(set.error().contains(field->path()), qPrintable(set.error()));
                QVERIFY(sameProject(project, before));
            }
        }
    }

    // A layer's values: the project file takes each layer field's range and refuses beyond.
    void everyLayerValueInsideIsReadAndOutsideRefused()
    {
        const LayerSchema& l = layerSchema();
        const auto layerWith = [&](const SettingField& field, const QJsonValue& value) {
            QJsonObject layer;
            if (&field == &l.poolSize) {
                layer = {{QStringLiteral("type"), QStringLiteral("MaxPooling2D")}};
            } else if (&field == &l.units) {
                layer = {{QStringLiteral("type"), QStringLiteral("Dense")}};
            } else if (&field == &l.rate) {
                layer = {{QStringLiteral("type"), QStringLiteral("Dropout")}};
            } else if (&field == &l.momentum || &field == &l.epsilon) {
                layer = {{QStringLiteral("type"), QStringLiteral("BatchNormalization")}};
            } else {
                layer = {{QStringLiteral("type"), QStringLiteral("Conv2D")},
                         {QStringLiteral("filters"), 4},
                         {QStringLiteral("kernel_size"), 3}};
            }
            layer.insert(field.key, value);
            QJsonObject root = projectJson(defaultProject());
            QJsonObject model = root.value(QStringLiteral("model")).toObject();
            model.insert(QStringLiteral("layers"), QJsonArray{layer});
            root.insert(QStringLiteral("model"), model);
            return projectFromJson(QJsonDocument(root).toJson());
        };
        for (const SettingField* field : l.all()) {
            for (const QJsonValue& value : valuesInside(*field)) {
                const Result<LoadedProject> loaded = layerWith(*field, value);
                QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
                const QJsonObject written = projectJson(loaded->project);
                const QJsonValue back = written.value(QStringLiteral("model"))
                                            .toObject()
                                            .value(QStringLiteral("layers"))
                                            .toArray()
                                            .at(0)
                                            .toObject()
                                            .value(field->key);
                // A size is written [height, width]; a flag at its default may be left out.
                const QJsonValue side = back.isUndefined() ? field->defaultValue
                                        : back.isArray()   ? back.toArray().at(0)
                                                           : back;
                QVERIFY2(sameJson(side, value), qPrintable(field->path()));
            }
            for (const QJsonValue& value : valuesOutside(*field)) {
                const Result<LoadedProject> loaded = layerWith(*field, value);
                QVERIFY2(!loaded.ok(), qPrintable(field->path() + QStringLiteral(" took a value "
                                                                                 "outside")));
                QVERIFY2(loaded.error().contains(field->key), qPrintable(loaded.error()));
            }
        }
    }

private:
    static const SettingField& datasetSchemaRoot()
    {
        return *findSettingField(QStringLiteral("dataset.root"));
    }
};

QTEST_GUILESS_MAIN(TestSettingsSchema)
#include "tst_settingsschema.moc"
