// classifier-cli commands of the evaluation and export area: evaluate, predict, export.
#include "clicommand.h"

#include "common/atomicfile.h"
#include "evaluation/evaluator.h"
#include "export/exporter.h"
#include "export/predictor.h"
#include "project/trainingschema.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace studio::cli {

namespace {

QCommandLineOption engineOption()
{
    return {QStringLiteral("engine"),
            QStringLiteral("The library that runs the network: torch (default: LibTorch), int8 "
                           "(LibTorch in 8-bit integers on oneDNN, with the calibration the run "
                           "wrote into the model file; an error when it has none), opencv "
                           "(OpenCV's DNN module on the model converted to ONNX in memory; an "
                           "error when it cannot run the model) or auto (int8 when the run's "
                           "check found it lost at most 0.1 point of accuracy, else opencv when "
                           "it agrees with LibTorch within 1e-4 on a check at load, else torch)."),
            QStringLiteral("ENGINE")};
}

// Reads --engine into *engine (unchanged when not given); false after a message when it is not
// one of the engines.
bool engineFromOption(const QCommandLineParser& parser, InferenceEngine* engine)
{
    if (!parser.isSet(QStringLiteral("engine"))) {
        return true;
    }
    const std::optional<InferenceEngine> chosen =
        inferenceEngineFromName(parser.value(QStringLiteral("engine")));
    if (!chosen) {
        printError(QStringLiteral("--engine must be auto, torch, opencv or int8, got '%1'.")
                       .arg(parser.value(QStringLiteral("engine"))));
        return false;
    }
    *engine = *chosen;
    return true;
}

int runEvaluate(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Evaluates a model on one split of a dataset folder: accuracy, top-k "
                       "accuracy, the confusion matrix, per-class precision, recall, F1 and "
                       "support, and the misclassified images, most confident mistakes first. "
                       "The images are prepared exactly as in training (from the model file)."));
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("The model file (.pt)."), QStringLiteral("M.pt")});
    parser.addOption(
        {QStringLiteral("data"), QStringLiteral("The dataset folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("split"),
                      QStringLiteral("test (default), validation or train."),
                      QStringLiteral("SPLIT")});
    parser.addOption({QStringLiteral("json"),
                      QStringLiteral("Print JSON: {\"accuracy\", \"top_k_accuracy\", \"classes\", "
                                     "\"confusion_matrix\", \"per_class\", \"misclassified\", "
                                     "...}.")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("Also write evaluation.json and CSV files (confusion "
                                     "matrices, per class, misclassified) into DIR."),
                      QStringLiteral("DIR")});
    parser.addOption(settingOption(trainingSchema().threads));
    parser.addOption(engineOption());
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) ||
        !parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("evaluate needs --model M.pt and --data DIR. Example: "
                                  "classifier-cli evaluate --model run/model.pt --data "
                                  "~/fashion-mnist --split test"));
        return ExitBadInput;
    }
    EvaluateOptions options;
    if (!intSettingOption(parser, trainingSchema().threads, &options.threads) ||
        !engineFromOption(parser, &options.engine)) {
        return ExitBadInput;
    }
    const QString split = parser.value(QStringLiteral("split")).toLower();
    if (split.isEmpty() || split == QLatin1String("test")) {
        options.split = Split::Test;
    } else if (split == QLatin1String("validation")) {
        options.split = Split::Validation;
    } else if (split == QLatin1String("train")) {
        options.split = Split::Train;
    } else {
        printError(QStringLiteral("--split must be test, validation or train, got '%1'.")
                       .arg(parser.value(QStringLiteral("split"))));
        return ExitBadInput;
    }
    const Result<EvaluationMetrics> metrics = evaluateModel(
        parser.value(QStringLiteral("model")), parser.value(QStringLiteral("data")), options);
    if (!metrics) {
        printError(metrics.error());
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("out"))) {
        const Status written = writeMetricsFiles(*metrics, parser.value(QStringLiteral("out")));
        if (!written) {
            printError(written.error());
            return ExitFailure;
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject json = metricsToJson(*metrics);
        json.insert(QStringLiteral("engine"), metrics->engine);
        json.insert(QStringLiteral("engine_detail"), metrics->engineDetail);
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
    } else {
        printError(QStringLiteral("Engine: %1").arg(metrics->engineDetail));
        printOut(formatMetricsTable(*metrics));
    }
    return ExitOk;
}

int runPredict(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Classifies images: files, or folders searched recursively for images. "
                       "The images are prepared exactly as in training (from the model file). "
                       "Prints the top-k classes with their probabilities; a file that cannot be "
                       "read gets an error line and the others are still classified (exit code "
                       "1 when any failed)."));
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Images or folders."),
                                 QStringLiteral("PATH..."));
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("The model file (.pt)."), QStringLiteral("M.pt")});
    parser.addOption({QStringLiteral("top-k"),
                      QStringLiteral("How many classes to show per image (default 3)."),
                      QStringLiteral("K")});
    parser.addOption({QStringLiteral("threshold"),
                      QStringLiteral("Confidence (0..1) below which the answer is 'uncertain' "
                                     "(default 0)."),
                      QStringLiteral("X")});
    parser.addOption({QStringLiteral("csv"),
                      QStringLiteral("Write path,predicted,confidence and one probability column "
                                     "per class to OUT.csv."),
                      QStringLiteral("OUT.csv")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("Print one JSON object: {\"classes\", \"engine\", "
                                                "\"engine_detail\", \"predictions\"}.")});
    parser.addOption(settingOption(trainingSchema().threads));
    parser.addOption(engineOption());
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (!parser.isSet(QStringLiteral("model")) || parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("predict needs --model M.pt and at least one image or folder. "
                                  "Example: classifier-cli predict --model run/model.pt "
                                  "photo.png photos/"));
        return ExitBadInput;
    }
    PredictOptions options;
    if (!intOption(parser, QStringLiteral("top-k"), 1, &options.topK)) {
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("threshold"))) {
        bool ok = false;
        options.threshold = parser.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || options.threshold < 0 || options.threshold > 1) {
            printError(QStringLiteral("--threshold must be a number from 0 to 1, got '%1'.")
                           .arg(parser.value(QStringLiteral("threshold"))));
            return ExitBadInput;
        }
    }
    PredictorOptions predictorOptions;
    if (!intSettingOption(parser, trainingSchema().threads, &predictorOptions.threads) ||
        !engineFromOption(parser, &predictorOptions.engine)) {
        return ExitBadInput;
    }
    options.decodeThreads = predictorOptions.threads;
    Result<Predictor> predictor =
        Predictor::load(parser.value(QStringLiteral("model")), predictorOptions);
    if (!predictor) {
        printError(predictor.error());
        return ExitBadInput;
    }
    const QStringList files = collectImageFiles(parser.positionalArguments());
    if (files.isEmpty()) {
        printError(QStringLiteral("No images found in %1.")
                       .arg(parser.positionalArguments().join(QStringLiteral(", "))));
        return ExitBadInput;
    }
    const QStringList& classes = predictor->metadata().classes;
    const QVector<Prediction> predictions = predictor->predictFiles(files, options);
    int failed = 0;
    QJsonArray json;
    QString text;
    for (const Prediction& p : predictions) {
        if (!p.ok()) {
            ++failed;
            json.append(
                QJsonObject{{QStringLiteral("path"), p.path}, {QStringLiteral("error"), p.error}});
            text += QStringLiteral("%1: error: %2\n").arg(p.path, p.error);
            continue;
        }
        QJsonArray top;
        QStringList shown;
        for (const ClassScore& s : p.top) {
            top.append(QJsonObject{{QStringLiteral("class"), s.name},
                                   {QStringLiteral("probability"), s.probability}});
            shown << QStringLiteral("%1 %2").arg(s.name).arg(s.probability, 0, 'f', 4);
        }
        const QString predicted = p.uncertain ? QStringLiteral("uncertain") : classes[p.predicted];
        json.append(QJsonObject{{QStringLiteral("path"), p.path},
                                {QStringLiteral("predicted"), predicted},
                                {QStringLiteral("confidence"), p.confidence},
                                {QStringLiteral("top"), top}});
        text += QStringLiteral("%1: %2 (%3)\n")
                    .arg(p.path, predicted, shown.join(QStringLiteral(", ")));
    }
    if (parser.isSet(QStringLiteral("csv"))) {
        const Status written = writeFileAtomically(parser.value(QStringLiteral("csv")),
                                                   predictionsToCsv(predictions, classes).toUtf8());
        if (!written) {
            printError(written.error());
            return ExitFailure;
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        const QJsonObject out{{QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
                              {QStringLiteral("engine"), inferenceEngineName(predictor->engine())},
                              {QStringLiteral("engine_detail"), predictor->engineText()},
                              {QStringLiteral("predictions"), json}};
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Compact)));
    } else {
        printError(QStringLiteral("Engine: %1").arg(predictor->engineText()));
        printOut(text.trimmed());
    }
    if (failed > 0) {
        printError(QStringLiteral("%1 of %2 files could not be classified.")
                       .arg(failed)
                       .arg(predictions.size()));
        return ExitFailure;
    }
    return ExitOk;
}

int runExport(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Exports a model file: torchscript (a .pt that loads with "
                       "torch.jit.load(path, _extra_files={\"metadata.json\": \"\"}) in Python "
                       "and torch::jit::load in C++) or onnx (opset 13, metadata in "
                       "metadata_props). The file is written to a temporary name and renamed."));
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("The model file (.pt)."), QStringLiteral("M.pt")});
    parser.addOption({QStringLiteral("format"), QStringLiteral("torchscript or onnx."),
                      QStringLiteral("FORMAT")});
    parser.addOption(
        {QStringLiteral("out"), QStringLiteral("The file to write."), QStringLiteral("PATH")});
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("format")) ||
        !parser.isSet(QStringLiteral("out")) || !parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("export needs --model M.pt, --format torchscript|onnx and --out "
                                  "PATH. Example: classifier-cli export --model run/model.pt "
                                  "--format onnx --out model.onnx"));
        return ExitBadInput;
    }
    const std::optional<ExportFormat> format =
        exportFormatFromName(parser.value(QStringLiteral("format")));
    if (!format) {
        printError(QStringLiteral("--format must be torchscript or onnx, got '%1'.")
                       .arg(parser.value(QStringLiteral("format"))));
        return ExitBadInput;
    }
    const QString out = parser.value(QStringLiteral("out"));
    const Status status = exportModelFile(parser.value(QStringLiteral("model")), *format, out);
    if (!status) {
        printError(status.error());
        return ExitBadInput;
    }
    printOut(QStringLiteral("Wrote %1").arg(QDir::toNativeSeparators(out)));
    return ExitOk;
}

} // namespace

QVector<CliCommand> evaluationCommands()
{
    return {{QStringLiteral("evaluate"),
             QStringLiteral("accuracy, confusion matrix and mistakes of a model on a split"),
             runEvaluate},
            {QStringLiteral("predict"), QStringLiteral("classify images or folders with a model"),
             runPredict},
            {QStringLiteral("export"), QStringLiteral("write a model as TorchScript or ONNX"),
             runExport}};
}

} // namespace studio::cli
