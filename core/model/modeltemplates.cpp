#include "model/modeltemplates.h"

#include "dataset/datasetschema.h"
#include "model/jsonfields.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

static void initTemplateResources()
{
    Q_INIT_RESOURCE(templates);
}

namespace studio {

QStringList templateNames()
{
    return {QStringLiteral("seed"), QStringLiteral("small"), QStringLiteral("vgg-bn")};
}

Result<ModelTemplate> loadTemplate(const QString& name)
{
    if (!templateNames().contains(name)) {
        return Failure{QStringLiteral("There is no template named '%1'. The templates are %2.")
                           .arg(name, templateNames().join(QStringLiteral(", ")))};
    }
    static const bool initialised = [] {
        initTemplateResources();
        return true;
    }();
    Q_UNUSED(initialised);
    const QString path = QStringLiteral(":/studio/templates/%1.json").arg(name);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{
            QStringLiteral("The template resource %1 is missing from this build.").arg(path)};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Failure{QStringLiteral("The template %1 is not valid JSON: %2 at offset %3.")
                           .arg(path, parseError.errorString())
                           .arg(parseError.offset)};
    }
    JsonDiagnostics diagnostics;
    JsonObjectReader reader(document.object(), QString(), &diagnostics);
    ModelTemplate result;
    reader.readString(QStringLiteral("name"), &result.name);
    reader.readString(QStringLiteral("description"), &result.description);
    const SettingField& colorMode = datasetSchema().colorMode;
    reader.readEnum<ColorMode>(
        colorMode.key, &result.colorMode,
        [&colorMode](const QString& text) -> std::optional<ColorMode> {
            const int index = colorMode.choiceIndex(text);
            return index < 0 ? std::nullopt : std::optional<ColorMode>(ColorMode(index));
        },
        colorMode.choiceNames());
    const QJsonValue sizes = reader.take(QStringLiteral("image_sizes"));
    for (const QJsonValue& size : sizes.toArray()) {
        result.imageSizes << size.toInt();
    }
    result.model =
        modelFromJson(reader.take(QStringLiteral("model")), QStringLiteral("model"), &diagnostics);
    reader.finish();
    diagnostics.errors << diagnostics.warnings;
    if (!diagnostics.errors.isEmpty() || result.imageSizes.isEmpty()) {
        return Failure{QStringLiteral("The template %1 is damaged: %2")
                           .arg(path, diagnostics.errors.join(QStringLiteral("; ")))};
    }
    return result;
}

} // namespace studio
