// classifier-cli's setting options against the settings schema: every option a setting has
// takes the schema's least, greatest and a middle value (or each of its names), which reach the
// project the run would use; a value just outside is refused naming the option; --help states
// the schema's range.
#include "clirun.h"

#include "project/project.h"
#include "project/settingsschema.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace studio;
using namespace studio::testdata;

namespace {

QString text(double value)
{
    return QString::number(value, 'g', 17);
}

QStringList valuesInside(const SettingField& field)
{
    if (field.kind == SettingKind::Choice) {
        return field.choiceNames();
    }
    const QString lowest = text(field.formMinimum());
    const QString highest = text(field.formMaximum());
    if (field.kind == SettingKind::IntegerList) {
        return {lowest, highest + QLatin1Char(',') + lowest, QStringLiteral("3,1,2")};
    }
    if (field.kind == SettingKind::NumberPair) {
        return {lowest + QLatin1Char(',') + highest};
    }
    const double middle = (field.formMinimum() + field.formMaximum()) / 2;
    return {text(field.formMinimum()), text(field.formMaximum()),
            text(field.kind == SettingKind::Integer ? std::floor(middle) : middle)};
}

QStringList valuesOutside(const SettingField& field)
{
    if (field.kind == SettingKind::Choice) {
        return {QStringLiteral("no-such-choice")};
    }
    const NumberRange& r = field.range;
    const double below = r.minimumOpen ? r.minimum : std::nextafter(r.minimum, -1e300);
    const double above = r.maximumOpen ? r.maximum : std::nextafter(r.maximum, 1e300);
    if (field.kind == SettingKind::Integer) {
        return {text(field.formMinimum() - 1), text(field.formMaximum() + 1),
                text(field.formMinimum() + 0.5)};
    }
    if (field.kind == SettingKind::IntegerList) {
        return {text(field.formMinimum() - 1), text(field.formMaximum() + 1), QStringLiteral("2,2"),
                QStringLiteral("abc")};
    }
    if (field.kind == SettingKind::NumberPair) {
        const QString highest = text(field.formMaximum());
        return {text(below) + QLatin1Char(',') + highest,
                text(field.formMinimum()) + QLatin1Char(',') + text(above),
                highest + QLatin1Char(',') + text(field.formMinimum()), QStringLiteral("1")};
    }
    return {text(below), text(above), QStringLiteral("abc")};
}

QJsonValue valueAt(const QJsonObject& root, const QString& path)
{
    QJsonValue value = root;
    for (const QString& key : path.split(QLatin1Char('.'))) {
        value = value.toObject().value(key);
    }
    return value;
}

// [1, 2] as "1,2", as the option takes it.
QString listText(const QJsonArray& list)
{
    QStringList parts;
    for (const QJsonValue& v : list) {
        parts << text(v.toDouble());
    }
    return parts.join(QLatin1Char(','));
}

QVector<const SettingField*> optionFields()
{
    QVector<const SettingField*> fields;
    for (const SettingField* field : allSettingFields()) {
        if (!field->cliOption.isEmpty()) {
            fields << field;
        }
    }
    return fields;
}

// 'train --data DIR --out DIR/run --dry-run': prints the project the options make.
QStringList dryRun(const QTemporaryDir& dir)
{
    return {QStringLiteral("train"),
            QStringLiteral("--data"),
            dir.path(),
            QStringLiteral("--out"),
            dir.filePath(QStringLiteral("run")),
            QStringLiteral("--dry-run")};
}

} // namespace

class TestCliSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyOptionTakesTheSchemasRange()
    {
        QTemporaryDir dir;
        const QStringList base = dryRun(dir);
        QVERIFY(optionFields().size() >= 10);
        for (const SettingField* field : optionFields()) {
            for (const QString& value : valuesInside(*field)) {
                const CliRun run =
                    runCli(base + QStringList{QStringLiteral("--") + field->cliOption, value});
                QVERIFY2(run.exitCode == 0,
                         qPrintable(
                             QStringLiteral("--%1 %2: %3").arg(field->cliOption, value, run.err)));
                const Result<LoadedProject> project = projectFromJson(run.out.toUtf8());
                QVERIFY2(project.ok(), qPrintable(project.error()));
                const QJsonObject json =
                    QJsonDocument::fromJson(projectToJson(project->project)).object();
                const QJsonValue got = valueAt(json, field->path());
                const bool same = field->kind == SettingKind::Choice ? got.toString() == value
                                  : got.isArray() ? listText(got.toArray()) == value
                                                  : got.toDouble() == value.toDouble();
                QVERIFY2(same, qPrintable(QStringLiteral("--%1 %2 gave %3 = %4")
                                              .arg(field->cliOption, value, field->path(),
                                                   got.isString()  ? got.toString()
                                                   : got.isArray() ? listText(got.toArray())
                                                                   : text(got.toDouble()))));
            }
            for (const QString& value : valuesOutside(*field)) {
                const CliRun run =
                    runCli(base + QStringList{QStringLiteral("--") + field->cliOption, value});
                QVERIFY2(run.exitCode == 2 &&
                             run.err.contains(QStringLiteral("--") + field->cliOption),
                         qPrintable(QStringLiteral("--%1 %2 was taken: %3")
                                        .arg(field->cliOption, value, run.err)));
                QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("run"))));
            }
        }
    }

    // --value-range with one pair per channel: 0,4095,10,255 becomes [[0, 4095], [10, 255]]; a
    // pair count that is not the channel count is refused, naming the setting.
    void valueRangePerChannel()
    {
        QTemporaryDir dir;
        const QStringList base =
            dryRun(dir) + QStringList{QStringLiteral("--channels"), QStringLiteral("1,2"),
                                      QStringLiteral("--normalization"), QStringLiteral("range"),
                                      QStringLiteral("--value-range")};
        const CliRun run = runCli(base + QStringList{QStringLiteral("0,4095,10,255")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(valueAt(json, QStringLiteral("dataset.value_range")).toArray(),
                 (QJsonArray{QJsonArray{0, 4095}, QJsonArray{10, 255}}));
        const CliRun three = runCli(base + QStringList{QStringLiteral("0,4095,10,255,0,1")});
        QCOMPARE(three.exitCode, 2);
        QVERIFY2(three.err.contains(QStringLiteral("value_range")) &&
                     three.err.contains(QStringLiteral("3 ranges")) &&
                     three.err.contains(QStringLiteral("2 channels")),
                 qPrintable(three.err));
        // Only value_range takes a pair per channel; another pair option refuses four numbers,
        // naming the option and what was typed.
        const CliRun four =
            runCli(dryRun(dir) +
                   QStringList{QStringLiteral("--normalization"), QStringLiteral("percentile"),
                               QStringLiteral("--percentiles"), QStringLiteral("1,2,3,4")});
        QCOMPARE(four.exitCode, 2);
        QVERIFY2(four.err.contains(QStringLiteral("--percentiles")) &&
                     four.err.contains(QStringLiteral("'1,2,3,4'")),
                 qPrintable(four.err));
        // --help says so.
        const QString help =
            runCli({QStringLiteral("train"), QStringLiteral("--help")}).out.simplified();
        QVERIFY2(help.contains(QStringLiteral("--value-range <LOW,HIGH[,LOW,HIGH...]>")) &&
                     help.contains(QStringLiteral("one such pair per channel")),
                 qPrintable(help));
        QVERIFY(help.contains(QStringLiteral("--percentiles <LOW,HIGH>")));
    }

    void helpStatesTheSchemasRange()
    {
        const CliRun run = runCli({QStringLiteral("train"), QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        const QString help = run.out.simplified();
        for (const SettingField* field : optionFields()) {
            QVERIFY2(help.contains(QStringLiteral("--") + field->cliOption),
                     qPrintable(field->path()));
            QVERIFY2(help.contains(field->label), qPrintable(field->path()));
            if (field->kind != SettingKind::Choice) {
                QVERIFY2(help.contains(field->describe()), qPrintable(field->describe()));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCliSettings)
#include "tst_cli_settings.moc"
