#include "project/readablejson.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

// The order in which keys appear wherever they occur.
const QStringList& keyOrder()
{
    static const QStringList order = {
        // file
        QStringLiteral("version"), QStringLiteral("name"), QStringLiteral("description"),
        QStringLiteral("dataset"), QStringLiteral("augmentation"), QStringLiteral("model"),
        QStringLiteral("training"),
        // dataset
        QStringLiteral("root"), QStringLiteral("split_mode"), QStringLiteral("split"),
        QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test"),
        QStringLiteral("split_seed"), QStringLiteral("group_by"), QStringLiteral("group_pattern"),
        QStringLiteral("image_size"), QStringLiteral("color_mode"), QStringLiteral("channels"),
        QStringLiteral("normalization"), QStringLiteral("value_range"),
        QStringLiteral("percentiles"), QStringLiteral("rescale"), QStringLiteral("resize"),
        QStringLiteral("pad_value"), QStringLiteral("cache_budget_mb"),
        // augmentation and callbacks
        QStringLiteral("enabled"), QStringLiteral("rotation_range"),
        QStringLiteral("width_shift_range"), QStringLiteral("height_shift_range"),
        QStringLiteral("shear_range"), QStringLiteral("zoom_range"),
        QStringLiteral("horizontal_flip"), QStringLiteral("vertical_flip"),
        QStringLiteral("brightness_range"), QStringLiteral("fill_mode"), QStringLiteral("cval"),
        // layers
        QStringLiteral("layers"), QStringLiteral("type"), QStringLiteral("filters"),
        QStringLiteral("kernel_size"), QStringLiteral("pool_size"), QStringLiteral("units"),
        QStringLiteral("rate"), QStringLiteral("strides"), QStringLiteral("padding"),
        QStringLiteral("activation"), QStringLiteral("use_bias"),
        // optimizers (BatchNormalization's momentum and epsilon fit this order too)
        QStringLiteral("optimizer"), QStringLiteral("beta_1"), QStringLiteral("beta_2"),
        QStringLiteral("rho"), QStringLiteral("momentum"), QStringLiteral("nesterov"),
        QStringLiteral("epsilon"), QStringLiteral("amsgrad"), QStringLiteral("centered"),
        // training
        QStringLiteral("learning_rate"), QStringLiteral("decay"), QStringLiteral("weight_decay"),
        QStringLiteral("label_smoothing"), QStringLiteral("class_weights"),
        QStringLiteral("batch_size"), QStringLiteral("batch_norm_statistics"),
        QStringLiteral("epochs"), QStringLiteral("seed"), QStringLiteral("threads"),
        QStringLiteral("callbacks"), QStringLiteral("early_stopping"),
        QStringLiteral("reduce_lr_on_plateau"), QStringLiteral("terminate_on_nan"),
        QStringLiteral("model_checkpoint"), QStringLiteral("monitor"), QStringLiteral("factor"),
        QStringLiteral("patience"), QStringLiteral("min_delta"), QStringLiteral("cooldown"),
        QStringLiteral("min_lr"), QStringLiteral("restore_best_weights"),
        QStringLiteral("save_best_only")};
    return order;
}

QStringList orderedKeys(const QJsonObject& object)
{
    static const QHash<QString, int> rank = [] {
        QHash<QString, int> r;
        for (int i = 0; i < keyOrder().size(); ++i) {
            r.insert(keyOrder()[i], i);
        }
        return r;
    }();
    QStringList keys = object.keys();
    std::stable_sort(keys.begin(), keys.end(), [](const QString& a, const QString& b) {
        const int ra = rank.value(a, int(keyOrder().size()));
        const int rb = rank.value(b, int(keyOrder().size()));
        return ra != rb ? ra < rb : a < b;
    });
    return keys;
}

bool isScalar(const QJsonValue& value)
{
    return !value.isArray() && !value.isObject();
}

bool isFlat(const QJsonValue& value)
{
    if (isScalar(value)) {
        return true;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::all_of(array.begin(), array.end(),
                           [](const QJsonValue& v) { return isScalar(v); });
    }
    return false;
}

QByteArray scalarText(const QJsonValue& value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e15) {
            return QByteArray::number(qint64(d));
        }
        return QString::number(d, 'g', QLocale::FloatingPointShortest).toUtf8();
    }
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

void write(const QJsonValue& value, int indent, bool inlineObjects, QByteArray* out);

void writeInline(const QJsonValue& value, QByteArray* out)
{
    if (value.isArray()) {
        out->append('[');
        const QJsonArray array = value.toArray();
        for (int i = 0; i < array.size(); ++i) {
            if (i > 0) {
                out->append(", ");
            }
            writeInline(array[i], out);
        }
        out->append(']');
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        out->append('{');
        bool first = true;
        for (const QString& key : orderedKeys(object)) {
            if (!first) {
                out->append(", ");
            }
            first = false;
            out->append(scalarText(key));
            out->append(": ");
            writeInline(object.value(key), out);
        }
        out->append('}');
    } else {
        out->append(scalarText(value));
    }
}

void write(const QJsonValue& value, int indent, bool inlineObjects, QByteArray* out)
{
    const QByteArray pad(4 * (indent + 1), ' ');
    const QByteArray closePad(4 * indent, ' ');
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const bool flatObject = std::all_of(object.begin(), object.end(),
                                            [](const QJsonValue& v) { return isFlat(v); });
        if (object.isEmpty() || (inlineObjects && flatObject)) {
            writeInline(value, out);
            return;
        }
        out->append("{\n");
        const QStringList keys = orderedKeys(object);
        for (int i = 0; i < keys.size(); ++i) {
            out->append(pad);
            out->append(scalarText(keys[i]));
            out->append(": ");
            write(object.value(keys[i]), indent + 1, false, out);
            out->append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        out->append(closePad);
        out->append('}');
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty() || isFlat(value)) {
            writeInline(value, out);
            return;
        }
        out->append("[\n");
        for (int i = 0; i < array.size(); ++i) {
            out->append(pad);
            write(array[i], indent + 1, true, out);
            out->append(i + 1 < array.size() ? ",\n" : "\n");
        }
        out->append(closePad);
        out->append(']');
    } else {
        out->append(scalarText(value));
    }
}

} // namespace

QByteArray toReadableJson(const QJsonObject& object)
{
    QByteArray out;
    write(object, 0, false, &out);
    out.append('\n');
    return out;
}

} // namespace studio
