// classifier-cli explain: saliency maps of a model's decisions (core/explain).
#include "clicommand.h"

#include "explain/saliency.h"
#include "export/predictor.h"
#include "project/trainingschema.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace studio::cli {

namespace {

// What explain was asked to do, once the options are read.
struct ExplainRequest
{
    QString model;
    QString outDir;
    QString className; // empty: the predicted class
    SaliencyOptions options;
    int threads = 0;
    bool json = false;
    QStringList inputs;
};

void addExplainOptions(QCommandLineParser& parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Shows which parts of each image made the model give a class its score. For every image "
        "it writes NAME_METHOD.png, the image as the model sees it with the map laid over it "
        "(blue: no influence, red: the most), and NAME_METHOD.npy, the raw map as float32 (NumPy "
        "format, numpy.load reads it). NAME is the image's file name without its extension "
        "(with its folder's name in front when two images share a name).\n\n"
        "gradcam (the default): Grad-CAM on the last Conv2D layer. The .npy has that layer's "
        "resolution: one value per cell of its output (a 64 px image seen as 16 x 16 cells "
        "has cells of 4 px), ReLU of the activations weighted by the mean gradient of the "
        "class's score (before softmax).\n"
        "occlusion: covers each part of the image in turn with a patch (an eighth of the image, "
        "moved by half its size) of the image's mean and records how much the class's "
        "probability drops. Works for any network, but is slower; the .npy has the image's "
        "resolution. A network without a Conv2D layer (or with a feature extractor) gets "
        "occlusion even when gradcam is asked for, and the output says so.\n\n"
        "The images are prepared exactly as in training (from the model file). A line per "
        "image says the class explained, its probability and the method; a file that cannot be "
        "read gets an error line and the others are still explained (exit code 1 when any "
        "failed)."));
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Images or folders."),
                                 QStringLiteral("PATH..."));
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("The model file (.pt)."), QStringLiteral("M.pt")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("The folder to write the maps to (made if missing)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("class"),
                      QStringLiteral("The class to explain (default: each image's predicted "
                                     "class)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("method"), QStringLiteral("gradcam (default) or occlusion."),
                      QStringLiteral("METHOD")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object.")});
    parser.addOption(settingOption(trainingSchema().threads));
}

// Reads the options into *request; prints the problem and returns false when one is bad.
bool readExplainRequest(const QCommandLineParser& parser, ExplainRequest* request)
{
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("out")) ||
        parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("explain needs --model M.pt, --out DIR and at least one image "
                                  "or folder. Example: classifier-cli explain --model "
                                  "run/model.pt --out maps photo.png photos/"));
        return false;
    }
    request->model = parser.value(QStringLiteral("model"));
    request->outDir = parser.value(QStringLiteral("out"));
    request->className = parser.value(QStringLiteral("class"));
    request->json = parser.isSet(QStringLiteral("json"));
    request->inputs = parser.positionalArguments();
    if (parser.isSet(QStringLiteral("method"))) {
        const std::optional<SaliencyMethod> method =
            saliencyMethodFromName(parser.value(QStringLiteral("method")));
        if (!method) {
            printError(QStringLiteral("--method must be gradcam or occlusion, got '%1'.")
                           .arg(parser.value(QStringLiteral("method"))));
            return false;
        }
        request->options.method = *method;
    }
    return intSettingOption(parser, trainingSchema().threads, &request->threads);
}

// One output name per file: the base name, with the folder's name in front when two files
// share it, and a number after when that is not enough.
QStringList outputNames(const QStringList& files)
{
    QHash<QString, int> baseCount;
    for (const QString& file : files) {
        ++baseCount[QFileInfo(file).completeBaseName()];
    }
    QStringList names;
    QHash<QString, int> used;
    for (const QString& file : files) {
        const QFileInfo info(file);
        QString name = info.completeBaseName();
        if (baseCount.value(name) > 1) {
            name = info.absoluteDir().dirName() + QLatin1Char('_') + name;
        }
        const int seen = used[name]++;
        names << (seen == 0 ? name : QStringLiteral("%1-%2").arg(name).arg(seen + 1));
    }
    return names;
}

// Writes the overlay and the .npy of one map; returns the error, or an empty string.
QString writeMapFiles(const SaliencyMap& map, const QString& base, QJsonObject* entry)
{
    const QString stem = base + QLatin1Char('_') + saliencyMethodName(map.method);
    const QString overlay = stem + QStringLiteral(".png");
    const QString npy = stem + QStringLiteral(".npy");
    Status written = writeSaliencyOverlay(overlay, map);
    if (written) {
        written = writeNpy(npy, map.map);
    }
    if (!written) {
        return written.error();
    }
    entry->insert(QStringLiteral("overlay"), QDir::toNativeSeparators(overlay));
    entry->insert(QStringLiteral("npy"), QDir::toNativeSeparators(npy));
    return {};
}

QString summaryLine(const SaliencyMap& map, const QJsonObject& entry)
{
    QString line = QStringLiteral("%1: %2 %3 (predicted %4), %5 at %6, %7x%8 map -> %9, %10")
                       .arg(map.path, map.className)
                       .arg(map.probability, 0, 'f', 4)
                       .arg(entry.value(QStringLiteral("predicted")).toString(),
                            saliencyMethodName(map.method), map.layer)
                       .arg(map.map.rows)
                       .arg(map.map.columns)
                       .arg(entry.value(QStringLiteral("overlay")).toString(),
                            entry.value(QStringLiteral("npy")).toString());
    if (!map.note.isEmpty()) {
        line += QStringLiteral(" (%1)").arg(map.note);
    }
    return line;
}

QJsonObject mapEntry(const SaliencyMap& map, const QStringList& classes)
{
    return {{QStringLiteral("path"), map.path},
            {QStringLiteral("class"), map.className},
            {QStringLiteral("probability"), map.probability},
            {QStringLiteral("predicted"), classes.value(map.predicted)},
            {QStringLiteral("method"), saliencyMethodName(map.method)},
            {QStringLiteral("where"), map.layer},
            {QStringLiteral("note"), map.note},
            {QStringLiteral("map_rows"), map.map.rows},
            {QStringLiteral("map_columns"), map.map.columns},
            {QStringLiteral("cell_size"), map.cellSize()}};
}

// Explains every file and writes its maps; prints a line (or the JSON) and returns the exit code.
int explainFiles(const SaliencyExplainer& explainer, const ExplainRequest& request,
                 const QStringList& files)
{
    const QStringList& classes = explainer.metadata().classes;
    const QStringList names = outputNames(files);
    const QDir out(request.outDir);
    int failed = 0;
    QJsonArray json;
    QStringList lines;
    for (int i = 0; i < files.size(); ++i) {
        const SaliencyMap map = explainer.explainFile(files[i], request.options);
        QJsonObject entry = map.ok() ? mapEntry(map, classes) : QJsonObject{};
        QString error = map.error;
        if (error.isEmpty()) {
            error = writeMapFiles(map, out.filePath(names[i]), &entry);
        }
        if (!error.isEmpty()) {
            ++failed;
            json.append(
                QJsonObject{{QStringLiteral("path"), files[i]}, {QStringLiteral("error"), error}});
            lines << QStringLiteral("%1: error: %2").arg(files[i], error);
            continue;
        }
        json.append(entry);
        lines << summaryLine(map, entry);
    }
    if (request.json) {
        printOut(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("classes"),
                                                              QJsonArray::fromStringList(classes)},
                                                             {QStringLiteral("maps"), json}})
                                       .toJson(QJsonDocument::Compact)));
    } else {
        printOut(lines.join(QLatin1Char('\n')));
    }
    if (failed > 0) {
        printError(
            QStringLiteral("%1 of %2 files could not be explained.").arg(failed).arg(files.size()));
        return ExitFailure;
    }
    return ExitOk;
}

int runExplain(const QStringList& arguments)
{
    QCommandLineParser parser;
    addExplainOptions(parser);
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    ExplainRequest request;
    if (!readExplainRequest(parser, &request)) {
        return ExitBadInput;
    }
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(request.model, request.threads);
    if (!explainer) {
        printError(explainer.error());
        return ExitBadInput;
    }
    const QStringList& classes = explainer->metadata().classes;
    if (!request.className.isEmpty()) {
        request.options.classIndex = int(classes.indexOf(request.className));
        if (request.options.classIndex < 0) {
            printError(QStringLiteral("--class '%1' is not one of the model's classes: %2.")
                           .arg(request.className, classes.join(QStringLiteral(", "))));
            return ExitBadInput;
        }
    }
    const QStringList files = collectImageFiles(request.inputs);
    if (files.isEmpty()) {
        printError(QStringLiteral("No images found in %1.")
                       .arg(request.inputs.join(QStringLiteral(", "))));
        return ExitBadInput;
    }
    if (!QDir().mkpath(request.outDir) || !QFileInfo(request.outDir).isDir()) {
        printError(QStringLiteral("Cannot make the folder %1 for the maps (--out): give a "
                                  "folder that can be written to.")
                       .arg(QDir::toNativeSeparators(request.outDir)));
        return ExitBadInput;
    }
    return explainFiles(*explainer, request, files);
}

} // namespace

QVector<CliCommand> explainCommands()
{
    return {{QStringLiteral("explain"),
             QStringLiteral("saliency maps: which parts of images decide a model's class"),
             runExplain}};
}

} // namespace studio::cli
