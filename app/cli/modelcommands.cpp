// classifier-cli commands of the model area: summary.
#include "clicommand.h"

#include "dataset/datasetschema.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <optional>

namespace studio::cli {

namespace {

int runSummary(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Prints a network's layers as Keras's model.summary() does: each layer's "
                       "output shape and parameter count, and the totals. The network comes "
                       "from a project file or a template (%1). Exits with 2 and the reason "
                       "when the layer stack cannot run on the given input.")
            .arg(studio::templateNames().join(QStringLiteral(", "))));
    parser.addOption({QStringLiteral("project"), QStringLiteral("Project file to read."),
                      QStringLiteral("P.json")});
    parser.addOption({QStringLiteral("template"),
                      QStringLiteral("Template to show: %1.")
                          .arg(studio::templateNames().join(QStringLiteral(", "))),
                      QStringLiteral("NAME")});
    parser.addOption(settingOption(datasetSchema().imageSize));
    parser.addOption(settingOption(datasetSchema().colorMode));
    parser.addOption({QStringLiteral("classes"),
                      QStringLiteral("Number of classes. A template's output layer follows it "
                                     "(default 10); a project's output layer must match it "
                                     "(default: not checked)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"),
                      QStringLiteral("Print JSON: {\"layers\": [{\"type\", \"output_shape\", "
                                     "\"params\", ...}], \"total_params\", "
                                     "\"trainable_params\", ...}. Shapes leave out the batch "
                                     "axis.")});
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    const bool fromProject = parser.isSet(QStringLiteral("project"));
    const bool fromTemplate = parser.isSet(QStringLiteral("template"));
    if (fromProject == fromTemplate || !parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("summary needs exactly one of --project P.json or --template "
                                  "NAME. Example: classifier-cli summary --template seed"));
        return ExitBadInput;
    }
    int imageSize = 0;
    int classes = 0;
    const DatasetSchema& schema = datasetSchema();
    const std::optional<QJsonValue> colorName = settingOptionValue(parser, schema.colorMode);
    if (!intSettingOption(parser, schema.imageSize, &imageSize) ||
        !intOption(parser, QStringLiteral("classes"), 1, &classes) || !colorName) {
        return ExitBadInput;
    }
    std::optional<ColorMode> colorMode;
    if (!colorName->isNull()) {
        colorMode = ColorMode(schema.colorMode.choiceIndex(colorName->toString()));
    }

    ModelSpec model;
    DatasetSettings dataset;
    int batchSize = TrainingSettings().batchSize;
    QString title;
    if (fromTemplate) {
        const Result<ModelTemplate> loaded = loadTemplate(parser.value(QStringLiteral("template")));
        if (!loaded) {
            printError(loaded.error());
            return ExitBadInput;
        }
        title = loaded->name;
        model = withOutputUnits(loaded->model, classes > 0 ? classes : 10);
        dataset.imageSize = loaded->imageSizes.first();
        dataset.colorMode = loaded->colorMode;
        classes = classes > 0 ? classes : 10;
    } else {
        const QString path = parser.value(QStringLiteral("project"));
        const Result<LoadedProject> loaded = loadProject(path);
        if (!loaded) {
            printError(loaded.error());
            return ExitBadInput;
        }
        for (const QString& warning : loaded->warnings) {
            printError(
                QStringLiteral("warning: %1: %2").arg(QDir::toNativeSeparators(path), warning));
        }
        title = QFileInfo(path).completeBaseName();
        model = loaded->project.model;
        dataset = loaded->project.dataset;
        batchSize = loaded->project.training.batchSize;
    }
    if (imageSize > 0) {
        dataset.imageSize = imageSize;
    }
    if (colorMode) {
        dataset.colorMode = *colorMode;
    }

    const ModelSummary summary = summarizeModel(model, inputShapeFor(dataset), classes, batchSize);
    if (summary.hasErrors()) {
        printError(QStringLiteral("The network cannot run on %1x%1x%2 input:\n%3")
                       .arg(dataset.imageSize)
                       .arg(dataset.channels())
                       .arg(summary.errorText()));
        return ExitBadInput;
    }
    for (const ModelIssue& warning : summary.warnings()) {
        printError(QStringLiteral("warning: %1").arg(warning.message));
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(
            QJsonDocument(summaryToJson(summary)).toJson(QJsonDocument::Indented)));
    } else {
        printOut(formatSummaryTable(summary, title));
    }
    return ExitOk;
}

} // namespace

QVector<CliCommand> modelCommands()
{
    return {{QStringLiteral("summary"),
             QStringLiteral("print a network's layers, output shapes and parameter counts"),
             &runSummary}};
}

} // namespace studio::cli
