// Benchmark of inference with the tutorial's network: single-image latency (p50 / p99, decode
// excluded) in eager mode, as a scripted module, frozen, frozen + optimised (the Predictor's torch
// engine) and through the Predictor with each engine (torch; opencv: OpenCV's DNN module on the
// model converted to ONNX in memory; int8: LibTorch's oneDNN quantized engine, the bench's model
// calibrated on random images, which sets its scales but not its speed); then classifying a folder
// of Fashion-MNIST PNGs with decoding (images/s). Beside ours, the PyTorch way
// (tests/bench/reference/infer_reference.py: the same model.pt loaded in Python, torch.jit.freeze +
// optimize_for_inference; ImageFolder + DataLoader at num_workers 0 and 2 for the folder), on the
// same threads, interleaved with ours round by round, and the folder also as whole commands
// (classifier-cli predict against the Python script). Prints a table and one JSON line. Usage:
// bench_inference [--calls N] [--images N] [--repeats N] [--threads N] [--size N]
//                        [--batch N] [--no-optimize] [--skip-latency] [--skip-python]
//                        [--python PATH] [--cli PATH]
#include "dataset/fashionmnist.h"
#include "dataset/imagedecoder.h"
#include "export/exporter_p.h"
#include "export/int8net_p.h"
#include "export/predictor.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/nn.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

using namespace studio;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

double median(std::vector<double> values)
{
    return percentile(std::move(values), 0.5);
}

// Milliseconds of each of `calls` calls after `warmup` untimed ones.
std::vector<double> timeCalls(int warmup, int calls, const std::function<void()>& call)
{
    for (int i = 0; i < warmup; ++i) {
        call();
    }
    std::vector<double> ms;
    ms.reserve(size_t(calls));
    for (int i = 0; i < calls; ++i) {
        const auto start = std::chrono::steady_clock::now();
        call();
        const auto end = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    return ms;
}

// A whole command: its wall seconds from start to exit and the JSON object of its last output
// line; seconds < 0 when it failed.
std::pair<double, QJsonObject> runWhole(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setStandardErrorFile(QProcess::nullDevice());
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    if (!process.waitForFinished(3600 * 1000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        std::fprintf(stderr, "failed: %s %s\n", qPrintable(program),
                     qPrintable(arguments.join(QLatin1Char(' '))));
        return {-1.0, {}};
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    return {seconds, QJsonDocument::fromJson(lines.last()).object()};
}

QString referenceScript()
{
    return QStringLiteral(STUDIO_SOURCE_DIR "/tests/bench/reference/infer_reference.py");
}

// The median and min–max of per-round values as "m (lo-hi)".
QString spread(std::vector<double> values, const char* format)
{
    if (values.empty()) {
        return QStringLiteral("-");
    }
    std::sort(values.begin(), values.end());
    return QString::asprintf(format, median(values)) + QStringLiteral(" (") +
           QString::asprintf(format, values.front()) + QLatin1Char('-') +
           QString::asprintf(format, values.back()) + QLatin1Char(')');
}

// One engine of ours: its name ("torch", "opencv") and the Predictor's call.
using Engine = std::pair<QString, std::function<void()>>;

// Ours (the Predictor's call with each engine) against the same model file frozen and optimised
// in PyTorch, one image, round by round: each round times `calls` of each of ours, then the
// Python script's `calls`.
void compareLatencyWithPyTorch(const std::vector<Engine>& engines, const QString& model,
                               int threads, int size, int calls, int rounds, QJsonObject* json)
{
    std::vector<std::vector<double>> oursP50(engines.size());
    std::vector<double> theirsP50;
    for (int r = 0; r < rounds; ++r) {
        for (size_t e = 0; e < engines.size(); ++e) {
            oursP50[e].push_back(percentile(timeCalls(50, calls, engines[e].second), 0.5));
        }
        torch::set_num_threads(threads);
        const auto [seconds, out] = runWhole(
            QStringLiteral("/usr/bin/python3"),
            {referenceScript(), QStringLiteral("--model"), model, QStringLiteral("--latency"),
             QStringLiteral("--calls"), QString::number(calls), QStringLiteral("--threads"),
             QString::number(threads), QStringLiteral("--size"), QString::number(size)});
        if (seconds < 0) {
            return;
        }
        theirsP50.push_back(out.value(QStringLiteral("p50_ms")).toDouble());
    }
    std::printf("%-34s %10.3f  (%d rounds: %s ms)\n", "PyTorch frozen + optimized rgb",
                median(theirsP50), rounds, qPrintable(spread(theirsP50, "%.3f")));
    json->insert(QStringLiteral("latency_pytorch_optimized_rgb_p50_ms"), median(theirsP50));
    for (size_t e = 0; e < engines.size(); ++e) {
        std::vector<double> ratios;
        for (size_t r = 0; r < theirsP50.size(); ++r) {
            ratios.push_back(theirsP50[r] / std::max(oursP50[e][r], 1e-9));
        }
        const QString& name = engines[e].first;
        std::printf("PyTorch p50 / our p50 (engine %s), per round: %sx (ours %s ms)\n",
                    qPrintable(name), qPrintable(spread(ratios, "%.2f")),
                    qPrintable(spread(oursP50[e], "%.3f")));
        json->insert(QStringLiteral("latency_%1_rgb_p50_ms_rounds").arg(name), median(oursP50[e]));
        json->insert(QStringLiteral("latency_speedup_vs_pytorch_%1").arg(name), median(ratios));
    }
}

// The folder of PNGs the PyTorch way (ImageFolder + DataLoader + the optimised model, at
// num_workers 0 and 2) and as whole commands (classifier-cli predict against the Python script),
// one round at a time.
struct FolderComparison
{
    std::vector<double> inProcess[2]; // images/s at num_workers 0 and 2, as the script times it
    std::vector<double> whole[2];     // images/s of the whole Python command
    std::vector<double> cliWhole;     // images/s of the whole classifier-cli predict command
    std::vector<double> cliWholeInt8; // the same with --engine int8

    void round(const QString& model, const QString& folder, const QString& csv, int threads,
               int size, int batch, int images)
    {
        for (int w = 0; w < 2; ++w) {
            const auto [seconds, out] = runWhole(
                QStringLiteral("/usr/bin/python3"),
                {referenceScript(), QStringLiteral("--model"), model, QStringLiteral("--folder"),
                 folder, QStringLiteral("--grayscale"), QStringLiteral("--batch"),
                 QString::number(batch), QStringLiteral("--num-workers"), QString::number(2 * w),
                 QStringLiteral("--threads"), QString::number(threads), QStringLiteral("--size"),
                 QString::number(size)});
            inProcess[w].push_back(out.value(QStringLiteral("images_per_second")).toDouble());
            whole[w].push_back(images / std::max(seconds, 1e-9));
        }
        for (const QString& engine : {QStringLiteral("torch"), QStringLiteral("int8")}) {
            const double seconds =
                runWhole(QStringLiteral(STUDIO_CLI_PATH),
                         {QStringLiteral("predict"), QStringLiteral("--model"), model,
                          QStringLiteral("--threads"), QString::number(threads),
                          QStringLiteral("--engine"), engine, QStringLiteral("--csv"), csv, folder})
                    .first;
            (engine == QStringLiteral("int8") ? cliWholeInt8 : cliWhole)
                .push_back(images / std::max(seconds, 1e-9));
        }
    }

    // Prints each figure and each engine of ours over the better PyTorch configuration, per
    // round.
    void report(const std::vector<std::pair<QString, std::vector<double>>>& ours,
                QJsonObject* json) const
    {
        const int best = median(inProcess[1]) > median(inProcess[0]) ? 1 : 0;
        const int bestWhole = median(whole[1]) > median(whole[0]) ? 1 : 0;
        std::vector<double> ratioWhole;
        std::vector<double> ratioWholeInt8;
        for (size_t r = 0; r < cliWhole.size() && r < whole[bestWhole].size(); ++r) {
            ratioWhole.push_back(cliWhole[r] / std::max(whole[bestWhole][r], 1e-9));
            ratioWholeInt8.push_back(cliWholeInt8[r] / std::max(whole[bestWhole][r], 1e-9));
        }
        for (int w = 0; w < 2; ++w) {
            std::printf("  PyTorch way, num_workers %d: %s images/s (whole command %s)\n", 2 * w,
                        qPrintable(spread(inProcess[w], "%.0f")),
                        qPrintable(spread(whole[w], "%.0f")));
        }
        std::printf("  classifier-cli predict (default engine), whole command: %s images/s\n",
                    qPrintable(spread(cliWhole, "%.0f")));
        std::printf("  classifier-cli predict --engine int8, whole command: %s images/s\n",
                    qPrintable(spread(cliWholeInt8, "%.0f")));
        for (const auto& [name, rates] : ours) {
            std::vector<double> ratio;
            for (size_t r = 0; r < rates.size() && r < inProcess[best].size(); ++r) {
                ratio.push_back(rates[r] / std::max(inProcess[best][r], 1e-9));
            }
            std::printf("  ours (engine %s) / PyTorch way (num_workers %d), per round: %sx\n",
                        qPrintable(name), 2 * best, qPrintable(spread(ratio, "%.2f")));
            json->insert(QStringLiteral("folder_speedup_vs_pytorch_%1").arg(name), median(ratio));
        }
        std::printf("  whole commands, classifier-cli / PyTorch (num_workers %d): %sx, with "
                    "--engine int8 %sx\n",
                    2 * bestWhole, qPrintable(spread(ratioWhole, "%.2f")),
                    qPrintable(spread(ratioWholeInt8, "%.2f")));
        json->insert(QStringLiteral("folder_pytorch_images_per_s"), median(inProcess[best]));
        json->insert(QStringLiteral("folder_pytorch_num_workers"), 2 * best);
        json->insert(QStringLiteral("folder_cli_images_per_s"), median(cliWhole));
        json->insert(QStringLiteral("folder_speedup_vs_pytorch_whole_commands"),
                     median(ratioWhole));
        json->insert(QStringLiteral("folder_speedup_vs_pytorch_whole_commands_int8"),
                     median(ratioWholeInt8));
    }
};

// Adds an int8 calibration (ranges seen on 256 random images) to the model file at `path`, so
// that the int8 engine can load it. A failure says why.
Status calibrateInt8(const QString& path)
{
    Result<LoadedModel> loaded = loadModelFile(path);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    Result<Int8Net> net = Int8Net::plan(*loaded);
    if (!net) {
        return Failure{net.error()};
    }
    const ModelMetadata& m = loaded->metadata;
    const torch::Tensor x = torch::rand({256, m.channels(), m.imageSize(), m.imageSize()});
    if (const Status observed = net->observe(x.data_ptr<float>(), 256); !observed) {
        return observed;
    }
    loaded->metadata.int8 = net->calibration();
    return saveTorchScript(loaded->module, loaded->metadata, path);
}

int argument(const QStringList& args, const QString& name, int fallback)
{
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int calls = std::max(400, argument(args, QStringLiteral("--calls"), 500));
    const int images = argument(args, QStringLiteral("--images"), 10000);
    const int repeats = std::max(1, argument(args, QStringLiteral("--repeats"), 3));
    const int threads = argument(args, QStringLiteral("--threads"), 2);
    const int size = argument(args, QStringLiteral("--size"), 64);
    const int folderBatch = std::max(1, argument(args, QStringLiteral("--batch"), 64));
    const bool optimize = !args.contains(QStringLiteral("--no-optimize"));
    const bool latency = !args.contains(QStringLiteral("--skip-latency"));
    const bool python = !args.contains(QStringLiteral("--skip-python"));
    torch::set_num_threads(threads);
    at::globalContext().setFlushDenormal(true);
    torch::manual_seed(1);

    const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    if (!seed) {
        std::fprintf(stderr, "%s\n", qPrintable(seed.error()));
        return 1;
    }
    QStringList classes = fashionMnistClassNames();
    std::sort(classes.begin(), classes.end());
    QTemporaryDir dir;
    QJsonObject json{{QStringLiteral("threads"), threads},
                     {QStringLiteral("image_size"), size},
                     {QStringLiteral("calls"), calls}};

    // Single-image latency, RGB like the tutorial, and grayscale for the Fashion-MNIST folder.
    std::printf("Single %d px image through the tutorial's network (%d threads, %d calls after "
                "warm-up), milliseconds:\n",
                size, threads, calls);
    std::printf("%-34s %10s %10s\n", "mode", "p50", "p99");
    QString grayModel;
    for (const ColorMode mode : {ColorMode::Rgb, ColorMode::Grayscale}) {
        DatasetSettings settings;
        settings.imageSize = size;
        settings.colorMode = mode;
        const ModelMetadata metadata = makeModelMetadata(seed->model, settings, classes);
        Result<torch::nn::Sequential> built =
            buildModule(seed->model, {size, size, metadata.channels()}, int(classes.size()));
        if (!built) {
            std::fprintf(stderr, "%s\n", qPrintable(built.error()));
            return 1;
        }
        torch::nn::Sequential eager = *built;
        eager->eval();
        const QString path = dir.filePath(mode == ColorMode::Rgb ? QStringLiteral("rgb.pt")
                                                                 : QStringLiteral("gray.pt"));
        if (Status s = exportTorchScript(eager, metadata, path); !s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error()));
            return 1;
        }
        if (Status s = calibrateInt8(path); !s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error()));
            return 1;
        }
        if (mode == ColorMode::Grayscale) {
            grayModel = path;
        }
        Result<LoadedModel> loaded = loadModelFile(path);
        if (!loaded) {
            std::fprintf(stderr, "%s\n", qPrintable(loaded.error()));
            return 1;
        }
        torch::jit::Module scripted = loaded->module;
        torch::jit::Module frozen = torch::jit::freeze(scripted.clone());
        torch::jit::Module optimized = optimizedForInference(scripted);
        Result<Predictor> predictor =
            Predictor::load(path, {threads, true, InferenceEngine::Torch});
        Result<Predictor> opencv = Predictor::load(path, {threads, true, InferenceEngine::OpenCv});
        Result<Predictor> int8 = Predictor::load(path, {threads, true, InferenceEngine::Int8});
        for (const Result<Predictor>* loadedEngine : {&predictor, &opencv, &int8}) {
            if (!*loadedEngine) {
                std::fprintf(stderr, "%s\n", qPrintable(loadedEngine->error()));
                return 1;
            }
        }
        torch::set_num_threads(threads);
        const torch::Tensor x = torch::rand({1, metadata.channels(), size, size});
        const std::vector<float> pixels(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
        const QString suffix =
            mode == ColorMode::Rgb ? QStringLiteral("rgb") : QStringLiteral("gray");
        const std::vector<std::pair<QString, std::function<void()>>> variants = {
            {QStringLiteral("eager"),
             [&] {
                 c10::InferenceMode guard;
                 torch::softmax(eager->forward(x), 1);
             }},
            {QStringLiteral("scripted"),
             [&] {
                 c10::InferenceMode guard;
                 scripted.forward({x});
             }},
            {QStringLiteral("frozen"),
             [&] {
                 c10::InferenceMode guard;
                 frozen.forward({x});
             }},
            {QStringLiteral("frozen_optimized"),
             [&] {
                 c10::InferenceMode guard;
                 optimized.forward({x});
             }},
            {QStringLiteral("predictor_torch"),
             [&] {
                 // Timed for its latency; the probabilities themselves are not needed.
                 [[maybe_unused]] const auto p = predictor->probabilities(pixels.data(), 1);
             }},
            {QStringLiteral("predictor_opencv"),
             [&] { [[maybe_unused]] const auto p = opencv->probabilities(pixels.data(), 1); }},
            {QStringLiteral("predictor_int8"),
             [&] { [[maybe_unused]] const auto p = int8->probabilities(pixels.data(), 1); }}};
        for (const auto& [name, call] : variants) {
            if (!latency) {
                break;
            }
            const std::vector<double> ms = timeCalls(50, calls, call);
            const double p50 = percentile(ms, 0.5);
            const double p99 = percentile(ms, 0.99);
            std::printf("%-34s %10.3f %10.3f\n", qPrintable(name + QLatin1Char(' ') + suffix), p50,
                        p99);
            json.insert(QStringLiteral("latency_%1_%2_p50_ms").arg(name, suffix), p50);
            json.insert(QStringLiteral("latency_%1_%2_p99_ms").arg(name, suffix), p99);
        }
        if (latency && python && mode == ColorMode::Rgb) {
            compareLatencyWithPyTorch({{QStringLiteral("torch"), variants[4].second},
                                       {QStringLiteral("opencv"), variants[5].second},
                                       {QStringLiteral("int8"), variants[6].second}},
                                      path, threads, size, calls, repeats, &json);
        }
    }

    // A folder of Fashion-MNIST PNGs, decode included.
    ExampleDatasetOptions options;
    options.outDir = dir.filePath(QStringLiteral("fashion"));
    options.train = 0;
    options.validation = 0;
    options.test = images;
    const Result<ExampleDatasetReport> written = writeExampleDataset(options);
    if (!written) {
        std::fprintf(stderr, "%s\n", qPrintable(written.error()));
        return 1;
    }
    const QStringList files = collectImageFiles({options.outDir});
    std::vector<std::pair<QString, Predictor>> predictors;
    for (const InferenceEngine engine :
         {InferenceEngine::Torch, InferenceEngine::OpenCv, InferenceEngine::Int8}) {
        Result<Predictor> predictor = Predictor::load(grayModel, {threads, optimize, engine});
        if (!predictor) {
            std::fprintf(stderr, "%s\n", qPrintable(predictor.error()));
            return 1;
        }
        std::printf("engine %s: %s\n", qPrintable(inferenceEngineName(engine)),
                    qPrintable(predictor->engineText()));
        predictors.emplace_back(inferenceEngineName(engine), std::move(predictor).value());
    }
    std::printf("\nClassifying a folder of %lld Fashion-MNIST PNGs (28 px -> %d px grayscale, "
                "decode included, %d threads, batch %d, %s):\n",
                static_cast<long long>(files.size()), size, threads, folderBatch,
                optimize ? "frozen + optimised" : "scripted, not frozen");
    json.insert(QStringLiteral("folder_batch"), folderBatch);
    json.insert(QStringLiteral("folder_optimized"), optimize);
    {
        // Decoding alone, on `threads` threads, to tell decode time from inference time.
        QElapsedTimer timer;
        timer.start();
        std::atomic<int> next{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&] {
                for (int i = next++; i < files.size(); i = next++) {
                    decodeImageFile(files[i], ImageShape{size, 1});
                }
            });
        }
        for (std::thread& worker : workers) {
            worker.join();
        }
        const double rate = double(files.size()) / (double(timer.nsecsElapsed()) / 1e9);
        std::printf("  decode only: %.0f images/s\n", rate);
        json.insert(QStringLiteral("decode_only_images_per_s"), rate);
    }
    std::vector<std::pair<QString, std::vector<double>>> rates;
    for (const auto& [name, predictor] : predictors) {
        rates.emplace_back(name, std::vector<double>());
    }
    FolderComparison pytorch;
    const QString testFolder = options.outDir + QStringLiteral("/test");
    for (int r = 0; r < repeats; ++r) {
        // Ours and the PyTorch way in turn; every other round the PyTorch way goes first.
        const auto runOurs = [&] {
            for (size_t e = 0; e < predictors.size(); ++e) {
                QElapsedTimer timer;
                timer.start();
                PredictOptions predictOptions;
                predictOptions.batchSize = folderBatch;
                predictOptions.decodeThreads = threads;
                const QVector<Prediction> predictions =
                    predictors[e].second.predictFiles(files, predictOptions);
                const double seconds = double(timer.nsecsElapsed()) / 1e9;
                const qsizetype failed = std::count_if(predictions.begin(), predictions.end(),
                                                       [](const Prediction& p) { return !p.ok(); });
                rates[e].second.push_back(double(predictions.size()) / seconds);
                std::printf("  run %d, engine %s: %.2f s, %.0f images/s, %lld failed\n", r + 1,
                            qPrintable(predictors[e].first), seconds, rates[e].second.back(),
                            static_cast<long long>(failed));
            }
        };
        const auto runTheirs = [&] {
            if (python) {
                pytorch.round(grayModel, testFolder, dir.filePath(QStringLiteral("out.csv")),
                              threads, size, folderBatch, int(files.size()));
            }
        };
        if (r % 2 == 0) {
            runOurs();
            runTheirs();
        } else {
            runTheirs();
            runOurs();
        }
    }
    json.insert(QStringLiteral("folder_images"), int(files.size()));
    for (const auto& [name, engineRates] : rates) {
        std::printf("  engine %s: %s images/s\n", qPrintable(name),
                    qPrintable(spread(engineRates, "%.0f")));
        json.insert(QStringLiteral("folder_images_per_s_median_%1").arg(name), median(engineRates));
    }
    if (python) {
        pytorch.report(rates, &json);
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
