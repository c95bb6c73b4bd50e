// The forms against the settings schema: every widget named after a setting offers exactly the
// schema's range (or names), every setting has a widget or is listed here as shown elsewhere,
// and View > Show Keras Names swaps which name comes first.
#include "augmentationform.h"
#include "datasetsettingsform.h"
#include "hyperparameterform.h"
#include "layerform.h"
#include "settingwidgets.h"

#include "model/layerschema.h"
#include "project/settingsschema.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QtTest>

using namespace studio;

namespace {

// Settings the three forms do not show, and where the user sets them instead.
const QSet<QString> kShownElsewhere = {
    QStringLiteral("dataset.root"),             // the Data page's folder chooser
    QStringLiteral("dataset.group_by"),         // the project file and the CLI (crossval)
    QStringLiteral("dataset.group_pattern"),    // likewise
    QStringLiteral("dataset.cache_budget_mb"),  // the project file
    QStringLiteral("training.weight_decay"),    // the project file
    QStringLiteral("training.label_smoothing"), // the project file
    QStringLiteral("training.callbacks.terminate_on_nan"),
    QStringLiteral("training.callbacks.model_checkpoint.enabled"),
    QStringLiteral("training.callbacks.model_checkpoint.monitor"),
    QStringLiteral("training.callbacks.model_checkpoint.save_best_only"),
};

// Checks one widget against its field; returns what is wrong, or an empty string.
QString compare(QWidget* widget, const SettingField& field)
{
    if (field.kind == SettingKind::Text) {
        return QString(); // shown, or chosen from names defined elsewhere
    }
    const auto range = [&](double minimum, double maximum) {
        if (minimum == field.formMinimum() && maximum == field.formMaximum()) {
            return QString();
        }
        return QStringLiteral("%1 offers [%2, %3], the schema [%4, %5]")
            .arg(field.path())
            .arg(minimum, 0, 'g', 17)
            .arg(maximum, 0, 'g', 17)
            .arg(field.formMinimum(), 0, 'g', 17)
            .arg(field.formMaximum(), 0, 'g', 17);
    };
    if (auto* spin = qobject_cast<QSpinBox*>(widget)) {
        return range(spin->minimum(), spin->maximum());
    }
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) {
        return range(spin->minimum(), spin->maximum());
    }
    if (auto* edit = qobject_cast<QLineEdit*>(widget);
        edit && field.kind == SettingKind::IntegerList) {
        int at = 0;
        QString inRange = QStringLiteral("1, 2, 16");
        QString notAList = QStringLiteral("1 2");
        return edit->validator() != nullptr &&
                       edit->validator()->validate(inRange, at) == QValidator::Acceptable &&
                       edit->validator()->validate(notAList, at) != QValidator::Acceptable
                   ? QString()
                   : field.path() + QStringLiteral(" does not check its list");
    }
    if (auto* edit = qobject_cast<QLineEdit*>(widget)) {
        const auto* validator = dynamic_cast<const WholeNumberValidator*>(edit->validator());
        return validator == nullptr ? field.path() + QStringLiteral(" has no range")
                                    : range(validator->minimum(), validator->maximum());
    }
    if (auto* combo = qobject_cast<QComboBox*>(widget)) {
        QStringList names;
        for (int i = 0; i < combo->count(); ++i) {
            names << combo->itemData(i).toString();
        }
        return names == field.choiceNames()
                   ? QString()
                   : field.path() + QStringLiteral(" offers ") + names.join(QLatin1Char(','));
    }
    if (qobject_cast<QCheckBox*>(widget) || qobject_cast<QGroupBox*>(widget)) {
        return field.kind == SettingKind::Flag ? QString()
                                               : field.path() + QStringLiteral(" is not a flag");
    }
    return field.path() + QStringLiteral(" has a widget of an unexpected type");
}

} // namespace

class TestSettingForms : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyWidgetOffersTheSchemasRange()
    {
        DatasetSettingsForm dataset;
        AugmentationForm augmentation;
        HyperparameterForm training;
        QSet<QString> shown;
        int compared = 0;
        for (QWidget* form : {static_cast<QWidget*>(&dataset), static_cast<QWidget*>(&augmentation),
                              static_cast<QWidget*>(&training)}) {
            for (QWidget* widget : form->findChildren<QWidget*>()) {
                QString name = widget->objectName();
                if (name.endsWith(QLatin1String(".low")) || name.endsWith(QLatin1String(".high"))) {
                    name = name.section(QLatin1Char('.'), 0, -2); // a [low, high] pair's box
                }
                const SettingField* field = findSettingField(name);
                if (field == nullptr) {
                    continue;
                }
                const QString problem = compare(widget, *field);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
                shown.insert(name);
                ++compared;
            }
        }
        for (const SettingField* field : allSettingFields()) {
            QVERIFY2(shown.contains(field->path()) || kShownElsewhere.contains(field->path()),
                     qPrintable(field->path() + QStringLiteral(" has no widget")));
        }
        QVERIFY(compared >= 40);
    }

    // The layer form's boxes (named after the key, or layer.<key> inside a [height, width] pair).
    void everyLayerWidgetOffersTheSchemasRange()
    {
        LayerForm form;
        for (const SettingField* field : layerSchema().all()) {
            QList<QWidget*> widgets;
            for (QWidget* widget : form.findChildren<QWidget*>()) {
                const bool container = widget->metaObject() == &QWidget::staticMetaObject;
                if (!container &&
                    (widget->objectName() == field->key || widget->objectName() == field->path())) {
                    widgets << widget;
                }
            }
            QVERIFY2(!widgets.isEmpty(), qPrintable(field->path() + QStringLiteral(" has no box")));
            for (QWidget* widget : widgets) {
                const QString problem = compare(widget, *field);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
            }
        }
    }

    void labelsArePlainWordsWithKerasNamesOnRequest()
    {
        KerasNames::instance()->setFirst(false);
        AugmentationForm form;
        auto* label =
            form.findChild<QLabel*>(QStringLiteral("augmentation.width_shift_range.label"));
        QVERIFY(label != nullptr);
        QVERIFY2(label->text().startsWith(QStringLiteral("Shift sideways")),
                 qPrintable(label->text()));
        QVERIFY(label->text().contains(QStringLiteral("width_shift_range")));
        KerasNames::instance()->setFirst(true);
        QVERIFY2(label->text().startsWith(QStringLiteral("width_shift_range")),
                 qPrintable(label->text()));
        KerasNames::instance()->setFirst(false);
        QVERIFY(label->text().startsWith(QStringLiteral("Shift sideways")));
    }

    // A project's per-channel value ranges survive other edits and are named in the range
    // boxes' tooltips; typing a range replaces them with one for every channel; clearing a
    // channel from the list drops its range only.
    void perChannelRangesInTheForm()
    {
        DatasetSettingsForm form;
        DatasetSettings settings;
        settings.channelList = {0, 1};
        settings.normalization = Normalization::Range;
        settings.channelRanges = {{0, 4095}, {10, 255}};
        form.setSettings(settings);
        auto* low = form.findChild<QDoubleSpinBox*>(QStringLiteral("dataset.value_range.low"));
        QVERIFY(low != nullptr);
        QVERIFY2(low->toolTip().contains(QStringLiteral("0 to 4095, 10 to 255")),
                 qPrintable(low->toolTip()));
        QCOMPARE(form.apply(settings).channelRanges, settings.channelRanges);
        auto* channels = form.findChild<QLineEdit*>(QStringLiteral("dataset.channels"));
        QVERIFY(channels != nullptr);
        channels->setText(QStringLiteral("2"));
        QCOMPARE(form.apply(settings).channelRanges, (QVector<QPair<double, double>>{{10, 255}}));
        channels->setText(QStringLiteral("1, 2"));
        low->setValue(5);
        const DatasetSettings typed = form.apply(settings);
        QVERIFY(typed.channelRanges.isEmpty());
        QCOMPARE(typed.rangeLow, 5.0);
    }

    // A seed past what a QSpinBox holds is shown and kept whole.
    void largeSeedsAreKept()
    {
        HyperparameterForm form;
        TrainingSettings settings;
        settings.seed = 9007199254740991ULL;
        form.setSettings(settings);
        QCOMPARE(form.settings(TrainingSettings{}).seed, settings.seed);
        auto* seed = form.findChild<QLineEdit*>(QStringLiteral("training.seed"));
        QVERIFY(seed != nullptr);
        seed->setText(QStringLiteral("9007199254740992")); // one too many: refused as typed
        QVERIFY(!seed->hasAcceptableInput() || seed->text() != QLatin1String("9007199254740992"));
    }
};

QTEST_MAIN(TestSettingForms)
#include "tst_settingforms.moc"
