// bench_training: whole training commands side by side. Ours is `classifier-cli train` on the
// tutorial's project (network at 64 px, batch 20, the tutorial's augmentation, validation every
// epoch); the PyTorch reference is tests/bench/reference/train_reference.py doing the same job
// the way a user writes it (ImageFolder + DataLoader) with 2 torch threads, at num_workers 0 and
// 2. Both read the same PNG folder on the same BLAS (the system's libblas.so.3). The compute
// limit, the same network on pre-made tensors with the same threads, runs in the same rounds.
//
// Each round runs every command once, in a rotating order (A B C D, then B C D A, ...). Each
// command is timed by this program from process start to the line that reports its last epoch
// (and to its exit). The figures are medians over the rounds, with their min–max:
// - end to end: the median of the per-round ratios reference time / our time;
// - steady state: each side's median training time of epochs 2..N (as each program reports it,
//   validation excluded; the compute limit runs N passes, read alike), and our share of the
//   compute limit (limit time / our epoch time),
//   then how our epochs split: their share on data (data_wait_seconds: reading, augmenting,
//   converting) and the share of the limit reached by the epochs without it;
// - the validation accuracy after the last epoch on both sides (the same job must learn alike).
// Prints a table and one JSON line.
//
//   bench_training [--data DIR] [--train N] [--epochs N] [--rounds N] [--threads N] [--cli PATH]
//                  [--reference PATH] [--python PATH] [--workers 0,2] [--skip-python]
//                  [--precision float32|mixed_bfloat16] [--reference-precision P]
//
// --precision mixed_bfloat16 runs every side in bfloat16: ours with training.precision set, the
// reference with --bf16 (its forward pass under torch.autocast), the compute limit likewise.
// --reference-precision gives the reference another (ours in bfloat16 against a float32 user).
//
// With --time-to ACC --data FULL_DIR [--max-epochs N] it measures instead the time to a test
// accuracy (issue 18: 91% with the `small` template on the full example dataset): the first
// epoch at which each command's model scores ACC on FULL_DIR/test, timed from process start.
#include "common/runtime.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "project/trainingschema.h"
#include "training/fusedadam_p.h"
#include "training/mixedprecision_p.h"

#include "benchsupport.h"
#include "commandrun.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

using namespace studio;
using studio::bench::median;
using studio::bench::tutorialProject;

namespace {

// One whole command, as this benchmark reads it.
struct CommandRun
{
    bool ok = false;
    double wallSeconds = 0;            // process start to exit
    double lastEpochSeconds = 0;       // process start to the line reporting the last epoch
    QVector<double> epochTrainSeconds; // each epoch's training time, as the program reports it
    QVector<double> epochDataSeconds;  // of which on data (ours reports it; others 0)
    double valAccuracy = -1;           // after the last epoch
    double peakRssMb = 0;              // the main process, sampled while it runs
    double reachedSeconds = -1;        // process start to the first epoch at the target accuracy
    int reachedEpoch = 0;
};

// Runs a command; with `target` > 0 it stops it at the first epoch whose validation accuracy
// reaches the target.
CommandRun runCommand(const QString& program, const QStringList& arguments,
                      const QString& errorFile, double target = 0)
{
    const auto reached = [target](const QJsonObject& line) {
        return line.value(QStringLiteral("event")).toString() == QLatin1String("epoch") &&
               line.value(QStringLiteral("val_accuracy")).toDouble(-1) >= target;
    };
    const bench::CommandRun whole =
        bench::runCommand(program, arguments, errorFile,
                          target > 0 ? std::function<bool(const QJsonObject&)>(reached) : nullptr);
    CommandRun run;
    run.ok = whole.ok;
    run.wallSeconds = whole.wallSeconds;
    run.peakRssMb = whole.peakRssMb;
    for (const bench::TimedLine& line :
         whole.events(QStringLiteral("epoch")) + whole.events(QStringLiteral("compute_limit"))) {
        run.lastEpochSeconds = line.seconds;
        run.epochTrainSeconds << line.object.value(QStringLiteral("seconds")).toDouble();
        run.epochDataSeconds << line.object.value(QStringLiteral("data_wait_seconds")).toDouble();
        run.valAccuracy = line.object.value(QStringLiteral("val_accuracy")).toDouble(-1);
        if (whole.stopped && run.reachedEpoch == 0 && target > 0 && reached(line.object)) {
            run.reachedSeconds = line.seconds;
            run.reachedEpoch = int(run.epochTrainSeconds.size());
        }
    }
    return run;
}

// training.precision's name for `precision` ("float32", "mixed_bfloat16").
QString precisionName(Precision precision)
{
    return trainingSchema().precision.choices[int(precision)].name;
}

// --precision NAME (training.precision's names; float32 when not given), or nullopt after a
// message when NAME is not one of them.
std::optional<Precision> precisionOption(const QStringList& args,
                                         const QString& option = QStringLiteral("--precision"),
                                         const QString& fallback = QStringLiteral("float32"))
{
    const QString name = studio::bench::optionValue(args, option, fallback);
    const SettingField& field = trainingSchema().precision;
    if (const int index = int(field.choiceNames().indexOf(name)); index >= 0) {
        return Precision(index);
    }
    std::fprintf(stderr, "%s: %s is not %s\n", qPrintable(option), qPrintable(name),
                 qPrintable(field.describe()));
    return std::nullopt;
}

// The reference script's arguments for `precision` (its forward pass under autocast).
QStringList referencePrecisionArguments(Precision precision)
{
    return precision == Precision::MixedBFloat16 ? QStringList{QStringLiteral("--bf16")}
                                                 : QStringList{};
}

// Child: the tutorial's network and optimizer on pre-made tensors, as many images as an epoch,
// `passes` times; prints each pass as a "compute_limit" line, so that the limit's steady state is
// read like ours (the median of passes 2..N; the first warms up like our first epoch).
int childComputeLimit(int images, int passes, int threads, Precision precision)
{
    setUpRuntime(threads);
    torch::manual_seed(1);
    Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    const ModelSpec model = withOutputUnits(seed->model, 10);
    Result<torch::nn::Sequential> module = buildModule(model, InputShape{64, 64, 3}, 10);
    if (!module) {
        std::fprintf(stderr, "%s\n", qPrintable(module.error()));
        return 1;
    }
    // The trainer's layout choice, so that both compute the same way.
    const bool channelsLast = prefersChannelsLast(model);
    if (channelsLast) {
        useChannelsLast(**module);
    }
    activateAfterMaxPooling(*module);
    const torch::MemoryFormat format =
        channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    // The trainer's optimizer: Adam updating each parameter in one pass.
    FusedAdam optimizer((*module)->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
    std::vector<torch::Tensor> inputs;
    std::vector<torch::Tensor> labels;
    for (int i = 0; i < 32; ++i) {
        inputs.push_back(inMemoryFormat(torch::rand({20, 3, 64, 64}), format));
        labels.push_back(torch::randint(0, 10, {20}, torch::kInt64));
    }
    (*module)->train();
    const int batches = images / 20;
    for (int pass = 0; pass < passes; ++pass) {
        QElapsedTimer timer;
        timer.start();
        for (int b = 0; b < batches; ++b) {
            const size_t i = size_t(b % 32);
            optimizer.zero_grad();
            torch::Tensor logits;
            {
                const MixedPrecisionScope arithmetic(precision);
                logits = (*module)->forward(inputs[i]).to(torch::kFloat);
            }
            const torch::Tensor loss = torch::nll_loss(torch::log_softmax(logits, 1), labels[i]);
            (void)loss.item<double>();
            loss.backward();
            optimizer.step();
            (void)logits.argmax(1).eq(labels[i]).sum().item<double>();
        }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        const QJsonObject out{{QStringLiteral("event"), QStringLiteral("compute_limit")},
                              {QStringLiteral("images_per_second"), batches * 20 / seconds},
                              {QStringLiteral("seconds"), seconds}};
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
    }
    return 0;
}

// A command of the benchmark and its runs, one per round.
struct Contender
{
    QString name;
    QString program;
    QStringList arguments;
    QString outDir; // removed before each run (a run folder must not exist)
    QVector<CommandRun> runs;
};

// Median of epochs 2..N (of the only epoch when there is one) of `perEpoch(epoch index)`.
double steadyMedian(const CommandRun& run, const std::function<double(qsizetype)>& perEpoch)
{
    QVector<double> steady;
    for (qsizetype e = run.epochTrainSeconds.size() > 1 ? 1 : 0; e < run.epochTrainSeconds.size();
         ++e) {
        steady << perEpoch(e);
    }
    return median(steady);
}

// Median training time of epochs 2..N (of the only epoch when there is one).
double steadyEpochSeconds(const CommandRun& run)
{
    return steadyMedian(run, [&](qsizetype e) { return run.epochTrainSeconds[e]; });
}

// Median share of epochs 2..N spent on data (reading, augmenting, converting batches).
double steadyDataShare(const CommandRun& run)
{
    return steadyMedian(
        run, [&](qsizetype e) { return run.epochDataSeconds[e] / run.epochTrainSeconds[e]; });
}

// Median training time of epochs 2..N without their time on data: the training steps alone.
double steadyStepSeconds(const CommandRun& run)
{
    return steadyMedian(
        run, [&](qsizetype e) { return run.epochTrainSeconds[e] - run.epochDataSeconds[e]; });
}

QVector<double> each(const QVector<CommandRun>& runs,
                     const std::function<double(const CommandRun&)>& f)
{
    QVector<double> values;
    for (const CommandRun& run : runs) {
        values << f(run);
    }
    return values;
}

QString spread(const QVector<double>& values, const char* format)
{
    if (values.isEmpty()) {
        return QStringLiteral("-");
    }
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    return QString::asprintf(format, median(values)) + QStringLiteral(" (") +
           QString::asprintf(format, *low) + QStringLiteral("-") +
           QString::asprintf(format, *high) + QStringLiteral(")");
}

// Per-round ratios a/b of a figure of two contenders.
QVector<double> ratios(const Contender& a, const Contender& b,
                       const std::function<double(const CommandRun&)>& figure)
{
    QVector<double> values;
    for (qsizetype r = 0; r < std::min(a.runs.size(), b.runs.size()); ++r) {
        values << figure(a.runs[r]) / std::max(figure(b.runs[r]), 1e-9);
    }
    return values;
}

QJsonObject summaryOf(const Contender& c)
{
    return QJsonObject{
        {QStringLiteral("name"), c.name},
        {QStringLiteral("to_last_epoch_seconds"),
         median(each(c.runs, [](const CommandRun& r) { return r.lastEpochSeconds; }))},
        {QStringLiteral("wall_seconds"),
         median(each(c.runs, [](const CommandRun& r) { return r.wallSeconds; }))},
        {QStringLiteral("steady_epoch_seconds"), median(each(c.runs, steadyEpochSeconds))},
        {QStringLiteral("val_accuracy"),
         median(each(c.runs, [](const CommandRun& r) { return r.valAccuracy; }))},
        {QStringLiteral("peak_rss_mb"),
         median(each(c.runs, [](const CommandRun& r) { return r.peakRssMb; }))}};
}

void printTable(const QVector<Contender>& contenders)
{
    std::printf("%-34s %-22s %-22s %-22s %-9s %s\n", "command", "to last epoch, s",
                "whole command, s", "steady epoch, s", "val acc", "peak RSS MB");
    for (const Contender& c : contenders) {
        const bool limit = c.name == QLatin1String("compute limit");
        std::printf(
            "%-34s %-22s %-22s %-22s %-9s %.0f\n", qPrintable(c.name),
            limit ? "-"
                  : qPrintable(
                        spread(each(c.runs, [](const CommandRun& r) { return r.lastEpochSeconds; }),
                               "%.1f")),
            qPrintable(
                spread(each(c.runs, [](const CommandRun& r) { return r.wallSeconds; }), "%.1f")),
            qPrintable(spread(each(c.runs, steadyEpochSeconds), "%.2f")),
            limit ? "-"
                  : qPrintable(QString::number(
                        median(each(c.runs, [](const CommandRun& r) { return r.valAccuracy; })),
                        'f', 4)),
            median(each(c.runs, [](const CommandRun& r) { return r.peakRssMb; })));
    }
}

// Runs every contender once per round, the order rotating by one each round.
void runRounds(QVector<Contender>* contenders, int rounds, const QString& errorFile,
               double target = 0)
{
    const qsizetype n = contenders->size();
    for (int round = 0; round < rounds; ++round) {
        for (qsizetype k = 0; k < n; ++k) {
            Contender& c = (*contenders)[(round + k) % n];
            if (!c.outDir.isEmpty()) {
                QDir(c.outDir).removeRecursively();
            }
            c.runs << runCommand(c.program, c.arguments, errorFile, target);
            std::fprintf(stderr, "round %d: %s %.1f s\n", round + 1, qPrintable(c.name),
                         c.runs.last().wallSeconds);
        }
    }
}

// Time to a test accuracy: the `small` template on a full dataset folder (train/ and test/),
// ours against the reference with the same network, each evaluating the test split after every
// epoch (a view folder whose validation/ is the test split) and stopped at the first epoch that
// reaches `target`.
int timeToAccuracy(const QStringList& args, double target, int threads, int rounds,
                   Precision precision, Precision referencePrecision)
{
    const auto option = [&](const QString& name, const QString& fallback) {
        return studio::bench::optionValue(args, name, fallback);
    };
    const QString data = QDir(option(QStringLiteral("--data"), QString())).absolutePath();
    if (!QDir(data + QStringLiteral("/train")).exists() ||
        !QDir(data + QStringLiteral("/test")).exists()) {
        std::fprintf(stderr, "--time-to needs --data DIR with train/ and test/ folders (e.g. "
                             "classifier-cli example-dataset DIR)\n");
        return 2;
    }
    QTemporaryDir scratch;
    const QString view = scratch.filePath(QStringLiteral("view"));
    QDir().mkpath(view);
    if (!QFile::link(data + QStringLiteral("/train"), view + QStringLiteral("/train")) ||
        !QFile::link(data + QStringLiteral("/test"), view + QStringLiteral("/validation"))) {
        std::fprintf(stderr, "could not make the view folder %s\n", qPrintable(view));
        return 2;
    }
    const QString epochs = option(QStringLiteral("--max-epochs"), QStringLiteral("30"));
    const QString runDir = scratch.filePath(QStringLiteral("run"));
    QVector<Contender> contenders;
    contenders << Contender{
        QStringLiteral("ours (classifier-cli train)"),
        option(QStringLiteral("--cli"), QStringLiteral(STUDIO_CLI_PATH)),
        {QStringLiteral("train"), QStringLiteral("--data"), view, QStringLiteral("--template"),
         QStringLiteral("small"), QStringLiteral("--epochs"), epochs, QStringLiteral("--threads"),
         QString::number(threads), QStringLiteral("--precision"), precisionName(precision),
         QStringLiteral("--json"), QStringLiteral("--out"), runDir},
        runDir,
        {}};
    for (const QString& workers :
         option(QStringLiteral("--workers"), QStringLiteral("0,2")).split(',')) {
        contenders << Contender{
            QStringLiteral("PyTorch reference, num_workers %1").arg(workers),
            option(QStringLiteral("--python"), QStringLiteral("/usr/bin/python3")),
            QStringList{option(QStringLiteral("--reference"),
                               QStringLiteral(STUDIO_SOURCE_DIR
                                              "/tests/bench/reference/train_reference.py")),
                        QStringLiteral("--data"), view, QStringLiteral("--network"),
                        QStringLiteral("small"), QStringLiteral("--grayscale"),
                        QStringLiteral("--image-size"), QStringLiteral("28"),
                        QStringLiteral("--decay"), QStringLiteral("0"), QStringLiteral("--epochs"),
                        epochs, QStringLiteral("--threads"), QString::number(threads),
                        QStringLiteral("--num-workers"), workers} +
                referencePrecisionArguments(referencePrecision),
            QString(),
            {}};
    }
    runRounds(&contenders, rounds, scratch.filePath(QStringLiteral("stderr.txt")), target);
    std::printf("bench_training --time-to %.3f: `small` template, 28 px grey, batch 20, Adam 1e-3, "
                "%s, test split scored after every epoch, at most %s epochs, %d threads, ours in "
                "%s, the reference in %s, %d rounds; medians (min-max)\n",
                target, qPrintable(data), qPrintable(epochs), threads,
                qPrintable(precisionName(precision)), qPrintable(precisionName(referencePrecision)),
                rounds);
    std::printf("%-34s %-24s %-10s %s\n", "command", "time to target, s", "epochs",
                "accuracy then");
    QJsonArray commands;
    for (const Contender& c : contenders) {
        const bool all = std::all_of(c.runs.begin(), c.runs.end(),
                                     [](const CommandRun& r) { return r.reachedEpoch > 0; });
        const QVector<double> seconds =
            each(c.runs, [](const CommandRun& r) { return r.reachedSeconds; });
        const QVector<double> epochsNeeded =
            each(c.runs, [](const CommandRun& r) { return double(r.reachedEpoch); });
        std::printf("%-34s %-24s %-10s %.4f\n", qPrintable(c.name),
                    all ? qPrintable(spread(seconds, "%.1f")) : "not reached",
                    qPrintable(spread(epochsNeeded, "%.0f")),
                    median(each(c.runs, [](const CommandRun& r) { return r.valAccuracy; })));
        commands.append(QJsonObject{{QStringLiteral("name"), c.name},
                                    {QStringLiteral("reached"), all},
                                    {QStringLiteral("seconds"), median(seconds)},
                                    {QStringLiteral("epochs"), median(epochsNeeded)}});
    }
    QJsonObject json{{QStringLiteral("benchmark"), QStringLiteral("time_to_accuracy")},
                     {QStringLiteral("target"), target},
                     {QStringLiteral("commands"), commands}};
    for (qsizetype k = 1; k < contenders.size(); ++k) {
        const QVector<double> share = ratios(contenders.first(), contenders[k],
                                             [](const CommandRun& r) { return r.reachedSeconds; });
        const bool both = std::all_of(share.begin(), share.end(), [](double v) { return v > 0; });
        std::printf("ours / %s: %s of its time\n", qPrintable(contenders[k].name),
                    both ? qPrintable(spread(share, "%.2f")) : "- (a side did not reach it)");
        json.insert(QStringLiteral("ours_share_vs_") +
                        contenders[k]
                            .name.section(QLatin1Char(' '), -1)
                            .prepend(QStringLiteral("reference_num_workers_")),
                    median(share));
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&](const QString& name, const QString& fallback) {
        return studio::bench::optionValue(args, name, fallback);
    };
    const int threads = option(QStringLiteral("--threads"), QStringLiteral("2")).toInt();
    const int train = option(QStringLiteral("--train"), QStringLiteral("6000")).toInt();
    const std::optional<Precision> precision = precisionOption(args);
    const std::optional<Precision> referencePrecision =
        precision ? precisionOption(args, QStringLiteral("--reference-precision"),
                                    precisionName(*precision))
                  : std::nullopt;
    if (!precision || !referencePrecision) {
        return 2;
    }
    const int epochs = option(QStringLiteral("--epochs"), QStringLiteral("3")).toInt();
    if (args.contains(QStringLiteral("--child-compute"))) {
        return childComputeLimit(train, std::max(epochs, 2), threads, *precision);
    }
    const int rounds = option(QStringLiteral("--rounds"), QStringLiteral("3")).toInt();
    if (args.contains(QStringLiteral("--time-to"))) {
        return timeToAccuracy(args, option(QStringLiteral("--time-to"), QString()).toDouble(),
                              threads, rounds, *precision, *referencePrecision);
    }
    const QString cli = option(QStringLiteral("--cli"), QStringLiteral(STUDIO_CLI_PATH));
    const QString python = option(QStringLiteral("--python"), QStringLiteral("/usr/bin/python3"));
    const QString reference =
        option(QStringLiteral("--reference"),
               QStringLiteral(STUDIO_SOURCE_DIR "/tests/bench/reference/train_reference.py"));
    QTemporaryDir scratch;
    const QString data = studio::bench::benchDataset(option(QStringLiteral("--data"), QString()),
                                                     scratch, train, 1000);
    if (data.isEmpty()) {
        return 2;
    }
    const QString projectFile = scratch.filePath(QStringLiteral("project.json"));
    Project project = tutorialProject(data, threads, epochs);
    project.training.precision = *precision;
    if (const Status saved = saveProject(projectFile, project); !saved) {
        std::fprintf(stderr, "%s\n", qPrintable(saved.error()));
        return 2;
    }

    QVector<Contender> contenders;
    const QString runDir = scratch.filePath(QStringLiteral("run"));
    contenders << Contender{QStringLiteral("ours (classifier-cli train)"),
                            cli,
                            {QStringLiteral("train"), QStringLiteral("--project"), projectFile,
                             QStringLiteral("--json"), QStringLiteral("--out"), runDir},
                            runDir,
                            {}};
    if (!args.contains(QStringLiteral("--skip-python"))) {
        for (const QString& workers :
             option(QStringLiteral("--workers"), QStringLiteral("0,2")).split(',')) {
            contenders << Contender{
                QStringLiteral("PyTorch reference, num_workers %1").arg(workers),
                python,
                QStringList{reference, QStringLiteral("--data"), data, QStringLiteral("--epochs"),
                            QString::number(epochs), QStringLiteral("--augment"),
                            QStringLiteral("--threads"), QString::number(threads),
                            QStringLiteral("--num-workers"), workers} +
                    referencePrecisionArguments(*referencePrecision),
                QString(),
                {}};
        }
    }
    contenders << Contender{
        QStringLiteral("compute limit"),
        app.applicationFilePath(),
        {QStringLiteral("--child-compute"), QStringLiteral("--train"), QString::number(train),
         QStringLiteral("--epochs"), QString::number(epochs), QStringLiteral("--threads"),
         QString::number(threads), QStringLiteral("--precision"), precisionName(*precision)},
        QString(),
        {}};
    runRounds(&contenders, rounds, scratch.filePath(QStringLiteral("stderr.txt")));
    for (const Contender& c : contenders) {
        if (std::any_of(c.runs.begin(), c.runs.end(), [](const CommandRun& r) { return !r.ok; })) {
            return 1;
        }
    }

    std::printf("bench_training: %d training and 1,000 validation PNGs, tutorial network at 64 px, "
                "batch 20, augmentation, %d epochs, %d threads, ours in %s, the reference in %s, "
                "%d rounds interleaved; medians (min–max)\n",
                train, epochs, threads, qPrintable(precisionName(*precision)),
                qPrintable(precisionName(*referencePrecision)), rounds);
    printTable(contenders);
    const Contender& ours = contenders.first();
    const Contender& limit = contenders.last();
    QVector<double> share; // per round: limit time / our steady epoch time, in percent
    for (double r : ratios(limit, ours, steadyEpochSeconds)) {
        share << 100.0 * r;
    }
    std::printf("ours, steady-state epoch, share of the compute limit: %s%%\n",
                qPrintable(spread(share, "%.1f")));
    // Where the rest goes: the epoch's time on data, and the steps alone against the limit.
    QVector<double> dataShare;
    for (const CommandRun& run : ours.runs) {
        dataShare << 100.0 * steadyDataShare(run);
    }
    QVector<double> stepShare;
    for (double r : ratios(limit, ours, steadyStepSeconds)) {
        stepShare << 100.0 * r;
    }
    std::printf("ours, steady-state epoch, time on data (reading, augmenting, converting): %s%%\n"
                "ours, steady-state epoch without its time on data, share of the compute limit: "
                "%s%%\n",
                qPrintable(spread(dataShare, "%.1f")), qPrintable(spread(stepShare, "%.1f")));
    QJsonArray commands;
    for (const Contender& c : contenders) {
        commands.append(summaryOf(c));
    }
    QJsonObject json{
        {QStringLiteral("benchmark"), QStringLiteral("training")},
        {QStringLiteral("train_images"), train},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("precision"), precisionName(*precision)},
        {QStringLiteral("reference_precision"), precisionName(*referencePrecision)},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("commands"), commands},
        {QStringLiteral("ours_share_of_compute_limit"), median(share) / 100.0},
        {QStringLiteral("ours_data_share_of_epoch"), median(dataShare) / 100.0},
        {QStringLiteral("ours_steps_share_of_compute_limit"), median(stepShare) / 100.0}};
    // End to end: each reference against ours in the same round; the better reference counts.
    double best = 0;
    for (qsizetype k = 1; k + 1 < contenders.size(); ++k) {
        const QVector<double> toEpoch =
            ratios(contenders[k], ours, [](const CommandRun& r) { return r.lastEpochSeconds; });
        const QVector<double> whole =
            ratios(contenders[k], ours, [](const CommandRun& r) { return r.wallSeconds; });
        const QVector<double> steady = ratios(contenders[k], ours, steadyEpochSeconds);
        std::printf("%s / ours: to last epoch %sx, whole command %sx, steady epoch %sx\n",
                    qPrintable(contenders[k].name), qPrintable(spread(toEpoch, "%.2f")),
                    qPrintable(spread(whole, "%.2f")), qPrintable(spread(steady, "%.2f")));
        if (median(toEpoch) < best || best == 0) {
            best = median(toEpoch);
            json.insert(QStringLiteral("speedup_vs_best_reference"), best);
            json.insert(QStringLiteral("speedup_vs_best_reference_whole_command"), median(whole));
            json.insert(QStringLiteral("speedup_vs_best_reference_steady_epoch"), median(steady));
            json.insert(QStringLiteral("best_reference"), contenders[k].name);
        }
    }
    if (best > 0) {
        std::printf("ours vs the better reference (%s): %.2fx to the last epoch\n",
                    qPrintable(json.value(QStringLiteral("best_reference")).toString()), best);
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
