// bench_embedding: time and peak memory of `classifier-cli embed` (t-SNE and PCA) on a
// Fashion-MNIST example dataset with a 10,000-image test split and a small model trained one
// epoch, both made on the first run in the work folder. Prints a table and a JSON line.
#include "commandrun.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace studio::bench;

namespace {

// Runs one classifier-cli command to its end; false after printing why when it fails.
bool runCli(const QStringList& arguments, const QString& work, CommandRun* run = nullptr)
{
    const CommandRun result = runCommand(QStringLiteral(STUDIO_CLI_PATH), arguments,
                                         QDir(work).filePath(QStringLiteral("stderr.txt")));
    if (run != nullptr) {
        *run = result;
    }
    return result.ok;
}

// The dataset and the model, made unless the work folder has them.
bool prepare(const QString& work, QString* data, QString* model)
{
    *data = QDir(work).filePath(QStringLiteral("fashion-mnist"));
    *model = QDir(work).filePath(QStringLiteral("run/model.pt"));
    if (!QFileInfo::exists(*data) &&
        !runCli({QStringLiteral("example-dataset"), QStringLiteral("--train"),
                 QStringLiteral("1000"), QStringLiteral("--validation"), QStringLiteral("200"),
                 QStringLiteral("--test"), QStringLiteral("10000"), *data},
                work)) {
        return false;
    }
    return QFileInfo::exists(*model) ||
           runCli({QStringLiteral("train"), QStringLiteral("--data"), *data,
                   QStringLiteral("--template"), QStringLiteral("small"),
                   QStringLiteral("--color-mode"), QStringLiteral("grayscale"),
                   QStringLiteral("--image-size"), QStringLiteral("28"), QStringLiteral("--epochs"),
                   QStringLiteral("1"), QStringLiteral("--out"),
                   QDir(work).filePath(QStringLiteral("run"))},
                  work);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int at = int(args.indexOf(QStringLiteral("--work")));
    const QString work = at > 0 && at + 1 < args.size()
                             ? args[at + 1]
                             : QDir::temp().filePath(QStringLiteral("bench_embedding"));
    QDir().mkpath(work);
    QString data;
    QString model;
    if (!prepare(work, &data, &model)) {
        return 1;
    }
    QJsonObject json{{QStringLiteral("bench"), QStringLiteral("embedding")},
                     {QStringLiteral("test_images"), 10000}};
    std::printf("%-6s %10s %14s %8s\n", "method", "seconds", "peak RSS MiB", "mapped");
    for (const QString& method : {QStringLiteral("tsne"), QStringLiteral("pca")}) {
        CommandRun run;
        if (!runCli({QStringLiteral("embed"), QStringLiteral("--model"), model,
                     QStringLiteral("--data"), data, QStringLiteral("--out"),
                     QDir(work).filePath(method + QStringLiteral(".csv")),
                     QStringLiteral("--method"), method, QStringLiteral("--json")},
                    work, &run) ||
            run.lines.isEmpty()) {
            return 1;
        }
        const int mapped = run.lines.last().object.value(QStringLiteral("mapped")).toInt();
        std::printf("%-6s %10.1f %14.0f %8d\n", qPrintable(method), run.wallSeconds, run.peakRssMb,
                    mapped);
        json.insert(method + QStringLiteral("_seconds"), run.wallSeconds);
        json.insert(method + QStringLiteral("_peak_rss_mb"), run.peakRssMb);
    }
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
