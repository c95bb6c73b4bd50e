// bench_transfer: does starting from a model trained on other data help a small dataset?
//
// 1. Pretrains the `small` template at 32 px on a Fashion-MNIST subset (clothing, 10 classes).
// 2. On a second dataset the benchmark makes (greyscale microscope-like "cells" of three
//    shapes: round, elongated, ring; tests/common/cellsdataset.h) with only `--per-class`
//    training images per class, trains the same network three ways, the same epochs and
//    settings, and scores each on the same held-out test images:
//      scratch    Keras's random initialisation;
//      fine-tune  every layer but the output copied from the pretrained model (init_from), all
//                 trainable;
//      frozen     the same copy with the convolutional blocks frozen (trainable false): only
//                 the Dense layers train, on the features learned from clothing.
//    Repeated with `--repeats` seeds (weights, shuffling and a new draw of the small dataset).
// Prints a table and one JSON line. A benchmark, not a test: it asserts nothing.
//
//   bench_transfer [--fashion DIR] [--pretrain N] [--pretrain-epochs N] [--per-class N]
//                  [--test-per-class N] [--epochs N] [--repeats N] [--threads N]
#include "benchsupport.h"
#include "cellsdataset.h"

#include "evaluation/metrics.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "training/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>

using namespace studio;
using studio::bench::median;

namespace {

// The small template at 32 px grey with its output fitted to `classes`, no augmentation.
Project smallProject(const QString& data, int classes, int epochs, int threads, quint64 seed)
{
    Project project = defaultProject();
    project.dataset.root = data;
    project.dataset.imageSize = 32;
    project.dataset.colorMode = ColorMode::Grayscale;
    project.augmentation.enabled = false;
    project.model = withOutputUnits(loadTemplate(QStringLiteral("small")).value().model, classes);
    project.training.epochs = epochs;
    project.training.batchSize = 16;
    project.training.threads = threads;
    project.training.seed = seed;
    return project;
}

// Trains `project` into a new folder under `runs`; the run's end (test accuracy), or a failed
// end with the reason.
RunEndedEvent train(const Project& project, const QString& runDir)
{
    TrainOptions options;
    options.runDir = runDir;
    const Result<TrainResult> result = trainProject(project, options);
    if (!result) {
        RunEndedEvent failed;
        failed.outcome = RunEndedEvent::Outcome::Failed;
        failed.reason = result.error();
        return failed;
    }
    return result->ended;
}

// "83.3% (77.0-88.2%)"
QString accuracyText(const RunEndedEvent& ended)
{
    const int correct = int(std::lround(ended.testAccuracy * ended.testCount));
    return formatWithInterval(ended.testAccuracy, wilsonInterval(correct, ended.testCount));
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&](const QString& name, const QString& fallback) {
        return studio::bench::optionValue(args, name, fallback);
    };
    const int pretrainImages =
        option(QStringLiteral("--pretrain"), QStringLiteral("12000")).toInt();
    const int pretrainEpochs =
        option(QStringLiteral("--pretrain-epochs"), QStringLiteral("4")).toInt();
    const int perClass = option(QStringLiteral("--per-class"), QStringLiteral("30")).toInt();
    const int testPerClass =
        option(QStringLiteral("--test-per-class"), QStringLiteral("100")).toInt();
    const int epochs = option(QStringLiteral("--epochs"), QStringLiteral("20")).toInt();
    const int repeats = option(QStringLiteral("--repeats"), QStringLiteral("5")).toInt();
    const int threads = option(QStringLiteral("--threads"), QStringLiteral("0")).toInt();

    QTemporaryDir scratch;
    const QString fashion = studio::bench::benchDataset(
        option(QStringLiteral("--fashion"), QString()), scratch, pretrainImages, 1000);
    if (fashion.isEmpty()) {
        return 2;
    }

    std::printf("Pretraining 'small' at 32 px on %d Fashion-MNIST images, %d epochs...\n",
                pretrainImages, pretrainEpochs);
    std::fflush(stdout);
    QElapsedTimer timer;
    timer.start();
    const QString pretrainedRun = scratch.filePath(QStringLiteral("pretrained"));
    const RunEndedEvent pretrained =
        train(smallProject(fashion, 10, pretrainEpochs, threads, 1), pretrainedRun);
    if (pretrained.outcome != RunEndedEvent::Outcome::Finished || pretrained.modelPath.isEmpty()) {
        std::fprintf(stderr, "Pretraining failed: %s\n", qPrintable(pretrained.reason));
        return 1;
    }
    std::printf("  done in %.0f s.\n\n", double(timer.elapsed()) / 1000.0);

    const QStringList ways{QStringLiteral("scratch"), QStringLiteral("fine-tune"),
                           QStringLiteral("frozen")};
    QHash<QString, QVector<double>> accuracies;
    std::printf("Cells (3 classes), %d training, %d validation and %d test images per class, %d "
                "epochs:\n",
                perClass, perClass, testPerClass, epochs);
    std::printf("%-7s %-22s %-22s %-22s\n", "repeat", "scratch", "fine-tune", "frozen");
    for (int repeat = 0; repeat < repeats; ++repeat) {
        const QString data = scratch.filePath(QStringLiteral("cells%1").arg(repeat));
        const quint32 seed = 100 + quint32(repeat) * 3;
        testdata::makeCells(QDir(data).filePath(QStringLiteral("train")), perClass, seed);
        testdata::makeCells(QDir(data).filePath(QStringLiteral("validation")), perClass, seed + 1);
        testdata::makeCells(QDir(data).filePath(QStringLiteral("test")), testPerClass, seed + 2);
        QStringList cells;
        for (const QString& way : ways) {
            Project project = smallProject(data, 3, epochs, threads, 7 + quint64(repeat));
            if (way != QLatin1String("scratch")) {
                project.model.initFrom = pretrained.modelPath;
            }
            if (way == QLatin1String("frozen")) {
                for (LayerSpec& layer : project.model.layers) {
                    if (layer.type == LayerType::Dense) {
                        break;
                    }
                    layer.trainable = false;
                }
            }
            const RunEndedEvent ended =
                train(project, scratch.filePath(QStringLiteral("%1-%2").arg(way).arg(repeat)));
            if (ended.outcome != RunEndedEvent::Outcome::Finished || ended.testCount == 0) {
                std::fprintf(stderr, "%s failed: %s\n", qPrintable(way), qPrintable(ended.reason));
                return 1;
            }
            accuracies[way] << ended.testAccuracy;
            cells << accuracyText(ended);
        }
        std::printf("%-7d %s %s %s\n", repeat + 1, qPrintable(cells[0].leftJustified(22)),
                    qPrintable(cells[1].leftJustified(22)), qPrintable(cells[2].leftJustified(22)));
        std::fflush(stdout);
    }
    std::printf("%-7s %-22.1f %-22.1f %-22.1f (median test accuracy, %%)\n", "median",
                100 * median(accuracies[ways[0]]), 100 * median(accuracies[ways[1]]),
                100 * median(accuracies[ways[2]]));

    QJsonObject json{{QStringLiteral("benchmark"), QStringLiteral("transfer")},
                     {QStringLiteral("pretrain_images"), pretrainImages},
                     {QStringLiteral("pretrain_epochs"), pretrainEpochs},
                     {QStringLiteral("per_class"), perClass},
                     {QStringLiteral("test_per_class"), testPerClass},
                     {QStringLiteral("epochs"), epochs}};
    for (const QString& way : ways) {
        QJsonArray values;
        for (const double value : accuracies[way]) {
            values.append(value);
        }
        json.insert(way, values);
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
