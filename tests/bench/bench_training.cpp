// bench_training: the trainer's images/s side by side with (a) the same network on pre-made
// tensors (the compute limit) and (b) the PyTorch reference script as a user runs it
// (ImageFolder + DataLoader, best of num_workers 0/1/2), on a Fashion-MNIST folder subset with
// the tutorial's network at 64 px, batch 20, augmentation on. Each configuration runs in its
// own child process so that peak RSS is its own. Prints a table and one JSON line.
//
//   bench_training [--data DIR] [--train N] [--repeats N] [--threads N] [--skip-python]
//                  [--reference PATH] [--accuracy-epochs N]
//
// --accuracy-epochs N adds the correctness check: our trainer and the reference (num_workers 2)
// each train N epochs with the same settings and data; both validation accuracies are printed.
#include "common/runtime.h"
#include "dataset/fashionmnist.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "training/trainer.h"

#include "benchsupport.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace studio;
using studio::bench::median;
using studio::bench::tutorialProject;

namespace {

double peakRssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
        }
    }
    return 0;
}

// Child: `epochs` epochs of our trainer. Prints {"images_per_second", "epoch_seconds",
// "peak_rss_mb", "val_accuracy"} of the first epoch (val_accuracy of the last).
int childOurs(const QString& data, int threads, int epochs)
{
    QTemporaryDir runs;
    TrainOptions options;
    options.runDir = runs.filePath(QStringLiteral("run"));
    QElapsedTimer wall;
    wall.start();
    const Result<TrainResult> result =
        trainProject(tutorialProject(data, threads, epochs), options);
    if (!result || result->history.isEmpty()) {
        std::fprintf(stderr, "%s\n", result ? "no epoch" : qPrintable(result.error()));
        return 1;
    }
    const EpochRecord& epoch = result->history.epochs().first();
    const QJsonObject out{
        {QStringLiteral("images_per_second"), epoch.imagesPerSecond},
        {QStringLiteral("epoch_seconds"), epoch.seconds},
        {QStringLiteral("wall_seconds"), double(wall.elapsed()) / 1000.0},
        {QStringLiteral("val_accuracy"), result->history.epochs().last().metrics.valAccuracy},
        {QStringLiteral("peak_rss_mb"), peakRssMb()}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

// Child: the same network and optimizer on pre-made tensors, as many images as the epoch.
int childComputeLimit(int images, int threads)
{
    setUpRuntime(threads);
    torch::manual_seed(1);
    Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    Result<torch::nn::Sequential> module =
        buildModule(withOutputUnits(seed->model, 10), InputShape{64, 64, 3}, 10);
    if (!module) {
        std::fprintf(stderr, "%s\n", qPrintable(module.error()));
        return 1;
    }
    // The trainer's layout choice, so that both sides compute the same way.
    const bool channelsLast =
        prefersChannelsLast(withOutputUnits(seed->model, 10), InputShape{64, 64, 3});
    if (channelsLast) {
        useChannelsLast(**module);
    }
    const torch::MemoryFormat format =
        channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    torch::optim::Adam optimizer((*module)->parameters(),
                                 torch::optim::AdamOptions(1e-3).eps(1e-7));
    std::vector<torch::Tensor> inputs;
    std::vector<torch::Tensor> labels;
    for (int i = 0; i < 32; ++i) {
        inputs.push_back(torch::rand({20, 3, 64, 64}).contiguous(format));
        labels.push_back(torch::randint(0, 10, {20}, torch::kInt64));
    }
    (*module)->train();
    const int batches = images / 20;
    QElapsedTimer timer;
    timer.start();
    for (int b = 0; b < batches; ++b) {
        optimizer.zero_grad();
        const torch::Tensor logits = (*module)->forward(inputs[size_t(b % 32)]);
        const torch::Tensor loss =
            torch::nll_loss(torch::log_softmax(logits, 1), labels[size_t(b % 32)]);
        const double value = loss.item<double>();
        loss.backward();
        optimizer.step();
        (void)logits.argmax(1).eq(labels[size_t(b % 32)]).sum().item<double>();
        (void)value;
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    const QJsonObject out{{QStringLiteral("images_per_second"), batches * 20 / seconds},
                          {QStringLiteral("epoch_seconds"), seconds},
                          {QStringLiteral("peak_rss_mb"), peakRssMb()}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

// Runs a child and returns the JSON object of its last output line.
QJsonObject runChild(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(3600 * 1000) || process.exitCode() != 0) {
        std::fprintf(stderr, "child failed: %s %s\n%s\n", qPrintable(program),
                     qPrintable(arguments.join(' ')), process.readAllStandardError().constData());
        return {};
    }
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object();
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&](const QString& name, const QString& fallback) {
        return studio::bench::optionValue(args, name, fallback);
    };
    const int threads = option(QStringLiteral("--threads"), QStringLiteral("0")).toInt();
    if (args.contains(QStringLiteral("--child-ours"))) {
        return childOurs(option(QStringLiteral("--data"), QString()), threads,
                         option(QStringLiteral("--epochs"), QStringLiteral("1")).toInt());
    }
    if (args.contains(QStringLiteral("--child-compute"))) {
        return childComputeLimit(
            option(QStringLiteral("--images"), QStringLiteral("12000")).toInt(), threads);
    }

    const int train = option(QStringLiteral("--train"), QStringLiteral("12000")).toInt();
    const int repeats = option(QStringLiteral("--repeats"), QStringLiteral("3")).toInt();
    const QString reference =
        option(QStringLiteral("--reference"),
               QStringLiteral(STUDIO_SOURCE_DIR "/tests/bench/reference/train_reference.py"));
    QTemporaryDir scratch;
    const QString data = studio::bench::benchDataset(option(QStringLiteral("--data"), QString()),
                                                     scratch, train, 1000);
    if (data.isEmpty()) {
        return 2;
    }

    const QString self = app.applicationFilePath();
    const QString threadArg = QString::number(threads);
    QVector<double> ours, oursSeconds, oursRss, compute, computeRss;
    for (int r = 0; r < repeats; ++r) {
        // Side by side, in alternating order so that neither always runs first.
        const auto runOurs = [&] {
            return runChild(self, {QStringLiteral("--child-ours"), QStringLiteral("--data"), data,
                                   QStringLiteral("--threads"), threadArg});
        };
        const auto runCompute = [&] {
            return runChild(self, {QStringLiteral("--child-compute"), QStringLiteral("--images"),
                                   QString::number(train), QStringLiteral("--threads"), threadArg});
        };
        QJsonObject a;
        QJsonObject b;
        if (r % 2 == 0) {
            a = runOurs();
            b = runCompute();
        } else {
            b = runCompute();
            a = runOurs();
        }
        ours << a[QStringLiteral("images_per_second")].toDouble();
        oursSeconds << a[QStringLiteral("epoch_seconds")].toDouble();
        oursRss << a[QStringLiteral("peak_rss_mb")].toDouble();
        compute << b[QStringLiteral("images_per_second")].toDouble();
        computeRss << b[QStringLiteral("peak_rss_mb")].toDouble();
    }

    QJsonArray pythonRuns;
    double pythonBest = 0;
    int pythonBestWorkers = -1;
    double pythonBestRss = 0;
    double pythonBestSeconds = 0;
    if (!args.contains(QStringLiteral("--skip-python"))) {
        for (int workers : {0, 1, 2}) {
            const QJsonObject p =
                runChild(QStringLiteral("/usr/bin/python3"),
                         {reference, QStringLiteral("--data"), data, QStringLiteral("--epochs"),
                          QStringLiteral("1"), QStringLiteral("--augment"),
                          QStringLiteral("--num-workers"), QString::number(workers)});
            const double ips = p[QStringLiteral("images_per_second")].toDouble();
            pythonRuns.append(
                QJsonObject{{QStringLiteral("num_workers"), workers},
                            {QStringLiteral("images_per_second"), ips},
                            {QStringLiteral("peak_rss_mb"), p[QStringLiteral("peak_rss_mb")]},
                            {QStringLiteral("threads"), p[QStringLiteral("threads")]}});
            if (ips > pythonBest) {
                pythonBest = ips;
                pythonBestWorkers = workers;
                pythonBestRss = p[QStringLiteral("peak_rss_mb")].toDouble();
                pythonBestSeconds = train / std::max(ips, 1e-9);
            }
        }
    }

    // Correctness: the same settings, data and epochs through both trainers.
    const int accuracyEpochs =
        option(QStringLiteral("--accuracy-epochs"), QStringLiteral("0")).toInt();
    double oursAccuracy = -1;
    double referenceAccuracy = -1;
    if (accuracyEpochs > 0) {
        const QJsonObject a =
            runChild(self, {QStringLiteral("--child-ours"), QStringLiteral("--data"), data,
                            QStringLiteral("--threads"), threadArg, QStringLiteral("--epochs"),
                            QString::number(accuracyEpochs)});
        const QJsonObject p =
            runChild(QStringLiteral("/usr/bin/python3"),
                     {reference, QStringLiteral("--data"), data, QStringLiteral("--epochs"),
                      QString::number(accuracyEpochs), QStringLiteral("--augment"),
                      QStringLiteral("--num-workers"), QStringLiteral("2")});
        oursAccuracy = a[QStringLiteral("val_accuracy")].toDouble(-1);
        referenceAccuracy = p[QStringLiteral("val_accuracy")].toDouble(-1);
    }

    const double oursMedian = median(ours);
    const double computeMedian = median(compute);
    std::printf("bench_training: %d training images, tutorial network at 64 px, batch 20, "
                "augmentation on, %d repeats (medians)\n",
                train, repeats);
    std::printf("%-36s %12s %12s %12s\n", "configuration", "images/s", "epoch s", "peak RSS MB");
    std::printf("%-36s %12.0f %12.1f %12.0f\n", "ours (trainer, augmented folder)", oursMedian,
                median(oursSeconds), median(oursRss));
    std::printf("%-36s %12.0f %12.1f %12.0f\n", "(a) same model, pre-made tensors", computeMedian,
                train / std::max(computeMedian, 1e-9), median(computeRss));
    if (pythonBestWorkers >= 0) {
        for (const QJsonValue& run : pythonRuns) {
            const QJsonObject o = run.toObject();
            std::printf("(b) PyTorch reference, num_workers %d %12.0f %12.1f %12.0f\n",
                        o[QStringLiteral("num_workers")].toInt(),
                        o[QStringLiteral("images_per_second")].toDouble(),
                        train / std::max(o[QStringLiteral("images_per_second")].toDouble(), 1e-9),
                        o[QStringLiteral("peak_rss_mb")].toDouble());
        }
    }
    // Each repeat runs ours and the compute limit back to back, so the ratio within a repeat
    // sees the same machine; its median is robust to the machine's speed drifting between
    // repeats (shared cores), which the ratio of the two medians is not.
    QVector<double> pairRatios;
    std::printf("per repeat (ours / compute limit):");
    for (qsizetype r = 0; r < ours.size(); ++r) {
        pairRatios << ours[r] / std::max(compute[r], 1e-9);
        std::printf(" %.0f/%.0f=%.1f%%", ours[r], compute[r], 100.0 * pairRatios.last());
    }
    std::printf("\nours / compute limit: %.1f%% (ratio of medians), %.1f%% (median of per-repeat "
                "ratios)\n",
                100.0 * oursMedian / std::max(computeMedian, 1e-9), 100.0 * median(pairRatios));
    if (pythonBestWorkers >= 0) {
        std::printf("ours / best PyTorch reference (num_workers %d): %.2fx\n", pythonBestWorkers,
                    oursMedian / std::max(pythonBest, 1e-9));
    }
    if (accuracyEpochs > 0) {
        std::printf("validation accuracy after %d epochs: ours %.4f, reference %.4f "
                    "(difference %.2f points)\n",
                    accuracyEpochs, oursAccuracy, referenceAccuracy,
                    100.0 * (oursAccuracy - referenceAccuracy));
    }
    QJsonObject json{
        {QStringLiteral("benchmark"), QStringLiteral("training")},
        {QStringLiteral("train_images"), train},
        {QStringLiteral("ours_images_per_second"), oursMedian},
        {QStringLiteral("ours_epoch_seconds"), median(oursSeconds)},
        {QStringLiteral("ours_peak_rss_mb"), median(oursRss)},
        {QStringLiteral("compute_limit_images_per_second"), computeMedian},
        {QStringLiteral("compute_limit_peak_rss_mb"), median(computeRss)},
        {QStringLiteral("ours_vs_compute_limit"), oursMedian / std::max(computeMedian, 1e-9)},
        {QStringLiteral("ours_vs_compute_limit_pairs_median"), median(pairRatios)},
        {QStringLiteral("python"), pythonRuns},
        {QStringLiteral("python_best_images_per_second"), pythonBest},
        {QStringLiteral("python_best_epoch_seconds"), pythonBestSeconds},
        {QStringLiteral("python_best_peak_rss_mb"), pythonBestRss},
        {QStringLiteral("ours_vs_python_best"), pythonBest > 0 ? oursMedian / pythonBest : 0.0}};
    if (accuracyEpochs > 0) {
        json.insert(QStringLiteral("accuracy_epochs"), accuracyEpochs);
        json.insert(QStringLiteral("ours_val_accuracy"), oursAccuracy);
        json.insert(QStringLiteral("reference_val_accuracy"), referenceAccuracy);
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
