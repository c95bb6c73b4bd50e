// classifier-cli embed: a map of what a network learned, as a CSV (core/explain/embedding).
#include "clicommand.h"

#include "common/atomicfile.h"
#include "explain/embedding.h"
#include "project/trainingschema.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace studio::cli {

namespace {

void addEmbedOptions(QCommandLineParser& parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Makes a map of what the network learned: for every image of a split, the values the "
        "network's last Dense layer receives (its penultimate-layer features), placed in two "
        "dimensions so that images the network sees alike lie close together. Writes a CSV "
        "with a row per image: path (relative to the dataset folder), true_class, "
        "predicted_class, confidence, x, y, in_sample.\n\n"
        "tsne (the default): exact t-SNE (perplexity 30, 1000 steps, after PCA to 50 "
        "dimensions) of a random sample of at most --sample images (3000); the others have "
        "in_sample 0 and no x, y. pca: the first two principal components of all the images.\n\n"
        "The images are prepared exactly as in training (from the model file); the same --seed "
        "gives the same map."));
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("The model file (.pt)."), QStringLiteral("M.pt")});
    parser.addOption(
        {QStringLiteral("data"), QStringLiteral("The dataset folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("The CSV file to write."),
                      QStringLiteral("map.csv")});
    parser.addOption({QStringLiteral("split"),
                      QStringLiteral("test (default), validation or train."),
                      QStringLiteral("SPLIT")});
    parser.addOption({QStringLiteral("method"), QStringLiteral("tsne (default) or pca."),
                      QStringLiteral("METHOD")});
    parser.addOption({QStringLiteral("sample"),
                      QStringLiteral("t-SNE: at most this many images (default 3000, at least "
                                     "4)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("seed"),
                      QStringLiteral("The random seed of the sample and of t-SNE (default 1)."),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object.")});
    parser.addOption(settingOption(trainingSchema().threads));
}

std::optional<Split> splitFromOption(const QString& value)
{
    const QString split = value.toLower();
    if (split.isEmpty() || split == QLatin1String("test")) {
        return Split::Test;
    }
    if (split == QLatin1String("validation")) {
        return Split::Validation;
    }
    if (split == QLatin1String("train")) {
        return Split::Train;
    }
    printError(QStringLiteral("--split must be test, validation or train, got '%1'.").arg(value));
    return std::nullopt;
}

// Reads the options; prints the problem and returns false when one is bad.
bool readEmbedOptions(const QCommandLineParser& parser, EmbeddingOptions* options)
{
    const std::optional<Split> split = splitFromOption(parser.value(QStringLiteral("split")));
    if (!split) {
        return false;
    }
    options->split = *split;
    if (parser.isSet(QStringLiteral("method"))) {
        const std::optional<EmbeddingMethod> method =
            embeddingMethodFromName(parser.value(QStringLiteral("method")));
        if (!method) {
            printError(QStringLiteral("--method must be tsne or pca, got '%1'.")
                           .arg(parser.value(QStringLiteral("method"))));
            return false;
        }
        options->method = *method;
    }
    int seed = 1;
    if (!intOption(parser, QStringLiteral("sample"), 4, &options->sample) ||
        !intOption(parser, QStringLiteral("seed"), 0, &seed) ||
        !intSettingOption(parser, trainingSchema().threads, &options->threads)) {
        return false;
    }
    options->seed = uint64_t(seed);
    return true;
}

QJsonObject summaryJson(const EmbeddingMap& map, const QString& out, qint64 milliseconds)
{
    int inSample = 0;
    int mistakes = 0;
    for (const EmbeddingPoint& p : map.points) {
        inSample += p.inSample ? 1 : 0;
        mistakes += p.mistake() ? 1 : 0;
    }
    return {{QStringLiteral("out"), QDir::toNativeSeparators(out)},
            {QStringLiteral("method"), embeddingMethodName(map.method)},
            {QStringLiteral("images"), int(map.points.size())},
            {QStringLiteral("mapped"), inSample},
            {QStringLiteral("mistakes"), mistakes},
            {QStringLiteral("feature_dimension"), map.featureDimension},
            {QStringLiteral("feature_layer"), map.featureLayer},
            {QStringLiteral("classes"), QJsonArray::fromStringList(map.classes)},
            {QStringLiteral("seconds"), double(milliseconds) / 1000.0}};
}

int runEmbed(const QStringList& arguments)
{
    QCommandLineParser parser;
    addEmbedOptions(parser);
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) ||
        !parser.isSet(QStringLiteral("out")) || !parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("embed needs --model M.pt, --data DIR and --out map.csv. "
                                  "Example: classifier-cli embed --model run/model.pt --data "
                                  "~/fashion-mnist --out map.csv"));
        return ExitBadInput;
    }
    EmbeddingOptions options;
    if (!readEmbedOptions(parser, &options)) {
        return ExitBadInput;
    }
    const QString out = parser.value(QStringLiteral("out"));
    if (QFileInfo(out).isDir()) {
        printError(
            QStringLiteral("--out %1 is a folder: give the CSV file's name, e.g. %2.")
                .arg(QDir::toNativeSeparators(out),
                     QDir::toNativeSeparators(QDir(out).filePath(QStringLiteral("map.csv")))));
        return ExitBadInput;
    }
    QElapsedTimer timer;
    timer.start();
    const Result<EmbeddingMap> map = makeEmbeddingMap(
        parser.value(QStringLiteral("model")), parser.value(QStringLiteral("data")), options);
    if (!map) {
        printError(map.error());
        return ExitBadInput;
    }
    const Status written = writeFileAtomically(out, embeddingToCsv(*map).toUtf8());
    if (!written) {
        printError(written.error());
        return ExitFailure;
    }
    const QJsonObject summary = summaryJson(*map, out, timer.elapsed());
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    } else {
        printOut(QStringLiteral("%1 images, %2 on the map (%3 of %4 features, the %5), %6 "
                                "mistakes -> %7")
                     .arg(map->points.size())
                     .arg(summary.value(QStringLiteral("mapped")).toInt())
                     .arg(embeddingMethodName(map->method))
                     .arg(map->featureDimension)
                     .arg(map->featureLayer)
                     .arg(summary.value(QStringLiteral("mistakes")).toInt())
                     .arg(QDir::toNativeSeparators(out)));
    }
    return ExitOk;
}

} // namespace

QVector<CliCommand> embedCommands()
{
    return {{QStringLiteral("embed"),
             QStringLiteral("a map of what a network learned: a split's features in 2-D (CSV)"),
             runEmbed}};
}

} // namespace studio::cli
