// bench_distributed: data-parallel training on this machine, and what it would cost on a network.
//
// 1. Side by side, in alternating order: the tutorial's network at 64 px (batch 20,
//    augmentation) trained by one classifier-cli process with 2 threads, and by 2 processes
//    with 1 thread each (--world-size 2 on 127.0.0.1). Images/s of one epoch, medians.
// 2. For every template at its design size: the bytes all-reduced per step (its gradients),
//    the time a ring all-reduce of them takes on paper at 1 and 10 Gbit/s, the measured compute
//    time of one training step at several batch sizes, and the batch size per process from
//    which computing takes longer than communicating.
// Prints tables and one JSON line.
//
//   bench_distributed [--data DIR] [--train N] [--repeats N] [--cli PATH] [--skip-processes]
#include "benchsupport.h"
#include "freeport.h"

#include "common/runtime.h"
#include "model/modelbuilder_p.h"
#include "model/modelsummary.h"
#include "training/trainer.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>
#include <vector>

using namespace studio;
using studio::bench::median;
using studio::bench::tutorialProject;

namespace {

// Runs `ranks` CLI processes of one training at once (one plain process when ranks is 1) and
// returns rank 0's images/s over its first epoch, or 0 when a process failed.
double trainImagesPerSecond(const QString& cli, const QString& project, int ranks, int threads)
{
    QTemporaryDir runs;
    const int port = studio::testdata::freePort();
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int rank = 0; rank < ranks; ++rank) {
        QStringList arguments{QStringLiteral("train"),
                              QStringLiteral("--project"),
                              project,
                              QStringLiteral("--threads"),
                              QString::number(threads),
                              QStringLiteral("--out"),
                              runs.filePath(QStringLiteral("run%1").arg(rank)),
                              QStringLiteral("--json")};
        if (ranks > 1) {
            arguments << QStringLiteral("--world-size") << QString::number(ranks)
                      << QStringLiteral("--rank") << QString::number(rank)
                      << QStringLiteral("--master") << QStringLiteral("127.0.0.1:%1").arg(port);
        }
        auto process = std::make_unique<QProcess>();
        process->start(cli, arguments);
        processes.push_back(std::move(process));
    }
    bool ok = true;
    for (auto& process : processes) {
        ok = process->waitForFinished(3600 * 1000) && process->exitCode() == 0 && ok;
    }
    const QByteArray out = processes[0]->readAllStandardOutput();
    if (!ok) {
        std::fprintf(stderr, "training failed:\n%s\n%s\n",
                     processes[0]->readAllStandardError().constData(), out.constData());
        return 0;
    }
    for (const QByteArray& line : out.split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event[QStringLiteral("event")].toString() == QLatin1String("epoch")) {
            return event[QStringLiteral("images_per_second")].toDouble();
        }
    }
    return 0;
}

// Median seconds of one training step (forward, backward, Adam) at `batch` images per process.
double stepSeconds(torch::nn::Sequential& module, const InputShape& input, int batch,
                   bool channelsLast)
{
    torch::optim::Adam optimizer(module->parameters(), torch::optim::AdamOptions(1e-3));
    const torch::Tensor images = inMemoryFormat(
        torch::rand({batch, input.channels, input.height, input.width}),
        channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
    const torch::Tensor labels = torch::randint(0, 10, {batch}, torch::kInt64);
    module->train();
    QVector<double> seconds;
    QElapsedTimer budget;
    budget.start();
    for (int step = 0; step < 40 && (step < 4 || budget.elapsed() < 4000); ++step) {
        QElapsedTimer timer;
        timer.start();
        optimizer.zero_grad();
        const torch::Tensor loss =
            torch::nll_loss(torch::log_softmax(module->forward(images), 1), labels);
        loss.backward();
        optimizer.step();
        if (step > 0) { // the first step allocates
            seconds << double(timer.nsecsElapsed()) / 1e9;
        }
    }
    return median(seconds);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&](const QString& name, const QString& fallback) {
        return studio::bench::optionValue(args, name, fallback);
    };
    const int repeats = option(QStringLiteral("--repeats"), QStringLiteral("3")).toInt();
    const int train = option(QStringLiteral("--train"), QStringLiteral("4000")).toInt();
    const QString cli = option(QStringLiteral("--cli"), QStringLiteral(STUDIO_CLI_PATH));
    QJsonObject json{{QStringLiteral("benchmark"), QStringLiteral("distributed")}};

    if (!args.contains(QStringLiteral("--skip-processes"))) {
        QTemporaryDir scratch;
        const QString data = studio::bench::benchDataset(
            option(QStringLiteral("--data"), QString()), scratch, train, 500);
        if (data.isEmpty()) {
            return 2;
        }
        const QString project = scratch.filePath(QStringLiteral("tutorial.json"));
        const Status saved = saveProject(project, tutorialProject(data, 0));
        if (!saved) {
            std::fprintf(stderr, "%s\n", qPrintable(saved.error()));
            return 2;
        }
        QVector<double> one;
        QVector<double> two;
        for (int r = 0; r < repeats; ++r) {
            if (r % 2 == 0) {
                one << trainImagesPerSecond(cli, project, 1, 2);
                two << trainImagesPerSecond(cli, project, 2, 1);
            } else {
                two << trainImagesPerSecond(cli, project, 2, 1);
                one << trainImagesPerSecond(cli, project, 1, 2);
            }
            std::printf("repeat %d: 1 process x 2 threads %.0f images/s, 2 processes x 1 thread "
                        "%.0f images/s\n",
                        r + 1, one.last(), two.last());
            std::fflush(stdout);
        }
        std::printf("\nTutorial network, 64 px, batch 20 (10 per process), augmentation, %s:\n",
                    qPrintable(QDir::toNativeSeparators(data)));
        std::printf("%-32s %10s\n", "configuration", "images/s");
        std::printf("%-32s %10.0f\n", "1 process x 2 threads", median(one));
        std::printf("%-32s %10.0f\n", "2 processes x 1 thread", median(two));
        std::printf("2 processes / 1 process: %.2f\n\n", median(two) / std::max(median(one), 1e-9));
        json.insert(QStringLiteral("one_process_two_threads_images_per_second"), median(one));
        json.insert(QStringLiteral("two_processes_one_thread_images_per_second"), median(two));
    }

    // Communication on paper: a ring all-reduce over W processes sends and receives
    // 2 (W - 1) / W times the gradient bytes per process; W = 2 here, so once the bytes.
    setUpRuntime(0);
    torch::manual_seed(1);
    std::printf("Per step, 2 processes, ring all-reduce; compute measured here with %d threads:\n",
                at::get_num_threads());
    std::printf("%-8s %6s %11s %9s %11s %12s %8s %12s %12s %14s %14s\n", "template", "input",
                "parameters", "MB/step", "1 Gbit ms", "10 Gbit ms", "batch", "compute ms",
                "ms/image", "batch > 1 Gbit", "batch > 10 Gbit");
    QJsonArray templates;
    for (const QString& name : templateNames()) {
        const Result<ModelTemplate> loaded = loadTemplate(name);
        if (!loaded) {
            continue;
        }
        const int size = loaded->imageSizes.isEmpty() ? 64 : loaded->imageSizes.first();
        const int channels = loaded->colorMode == ColorMode::Grayscale ? 1 : 3;
        const InputShape input{size, size, channels};
        const ModelSpec model = withOutputUnits(loaded->model, 10);
        Result<torch::nn::Sequential> module = buildModule(model, input, 10);
        if (!module) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(name), qPrintable(module.error()));
            continue;
        }
        const bool channelsLast = prefersChannelsLast(model);
        if (channelsLast) {
            useChannelsLast(**module);
        }
        qint64 parameters = 0;
        for (const torch::Tensor& p : (*module)->parameters()) {
            parameters += p.numel();
        }
        const double bytes = double(parameters) * 4.0; // float32 gradients
        const double ring = 2.0 * (2 - 1) / 2 * bytes;
        const double gbit1 = ring * 8 / 1e9 * 1000;   // ms
        const double gbit10 = ring * 8 / 1e10 * 1000; // ms
        QJsonArray steps;
        QVector<double> perImage;
        for (const int batch : {10, 32, 128}) {
            const double seconds = stepSeconds(*module, input, batch, channelsLast);
            perImage << seconds * 1000 / batch;
            std::printf("%-8s %6s %11lld %9.2f %11.2f %12.3f %8d %12.1f %12.3f %14s %14s\n",
                        qPrintable(name), qPrintable(QStringLiteral("%1px").arg(size)),
                        static_cast<long long>(parameters), bytes / 1e6, gbit1, gbit10, batch,
                        seconds * 1000, seconds * 1000 / batch, "", "");
            steps.append(QJsonObject{{QStringLiteral("batch"), batch},
                                     {QStringLiteral("compute_ms"), seconds * 1000}});
        }
        // Compute grows with the batch, communication does not: the batch per process from
        // which a step computes longer than it communicates (median cost per image).
        const double breakEven1 = gbit1 / std::max(median(perImage), 1e-9);
        const double breakEven10 = gbit10 / std::max(median(perImage), 1e-9);
        std::printf("%-8s %6s %11s %9s %11s %12s %8s %12s %12s %14.0f %14.0f\n", "", "", "", "", "",
                    "", "", "", "", breakEven1, breakEven10);
        templates.append(QJsonObject{{QStringLiteral("template"), name},
                                     {QStringLiteral("image_size"), size},
                                     {QStringLiteral("parameters"), parameters},
                                     {QStringLiteral("bytes_per_step"), bytes},
                                     {QStringLiteral("allreduce_ms_1gbit"), gbit1},
                                     {QStringLiteral("allreduce_ms_10gbit"), gbit10},
                                     {QStringLiteral("steps"), steps},
                                     {QStringLiteral("break_even_batch_1gbit"), breakEven1},
                                     {QStringLiteral("break_even_batch_10gbit"), breakEven10}});
    }
    json.insert(QStringLiteral("templates"), templates);
    std::printf("\n%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
