// classifier-cli commands of the dataset area: example-dataset, scan.
#include "clicommand.h"

#include "dataset/datasetscanner.h"
#include "dataset/datasetschema.h"
#include "dataset/fashionmnist.h"
#include "dataset/imagecache.h"
#include "dataset/scanreport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>
#include <mutex>

namespace studio::cli {

namespace {

int runExampleDataset(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes the example dataset: Fashion-MNIST as folders of PNG images, "
                       "OUT/{train,validation,test}/<class>/<n>.png, where n is the image's "
                       "index in its official IDX file. Validation images come from the end of "
                       "the official training set, test images from the official test set."));
    parser.addPositionalArgument(QStringLiteral("OUT"),
                                 QStringLiteral("Folder to create (must not exist yet)."));
    parser.addOption({QStringLiteral("train"), QStringLiteral("Training images (default 54000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("validation"),
                      QStringLiteral("Validation images (default 6000)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("test"), QStringLiteral("Test images (default 10000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("image-size"),
                      QStringLiteral("Side of the square PNGs in pixels, %1 (default 28, native).")
                          .arg(studio::datasetSchema().imageSize.describe()),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("source"),
                      QStringLiteral("Folder with the Fashion-MNIST IDX files (default %1).")
                          .arg(studio::defaultFashionMnistDir()),
                      QStringLiteral("DIR")});
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QStringLiteral("example-dataset needs exactly one OUT folder. Example: "
                                  "classifier-cli example-dataset ~/fashion-mnist"));
        return ExitBadInput;
    }
    studio::ExampleDatasetOptions options;
    options.outDir = parser.positionalArguments().first();
    if (parser.isSet(QStringLiteral("source"))) {
        options.sourceDir = parser.value(QStringLiteral("source"));
    }
    if (!intOption(parser, QStringLiteral("train"), 0, &options.train) ||
        !intOption(parser, QStringLiteral("validation"), 0, &options.validation) ||
        !intOption(parser, QStringLiteral("test"), 0, &options.test) ||
        !intSettingOption(parser, studio::datasetSchema().imageSize, &options.imageSize)) {
        return ExitBadInput;
    }
    const bool terminal = stderrIsTerminal();
    std::mutex printMutex;
    const auto progress = [&](qint64 done, qint64 total) {
        if (!terminal) {
            return;
        }
        std::lock_guard<std::mutex> lock(printMutex);
        std::fprintf(stderr, "\rwriting images: %lld / %lld", static_cast<long long>(done),
                     static_cast<long long>(total));
        std::fflush(stderr);
    };
    const studio::Result<studio::ExampleDatasetReport> report =
        studio::writeExampleDataset(options, progress);
    if (terminal) {
        std::fputs("\n", stderr);
    }
    if (!report) {
        printError(report.error());
        return ExitBadInput;
    }
    printOut(QStringLiteral("Wrote %1 training, %2 validation and %3 test images to '%4' in "
                            "%5 s.")
                 .arg(report->train)
                 .arg(report->validation)
                 .arg(report->test)
                 .arg(QDir::toNativeSeparators(options.outDir))
                 .arg(report->seconds, 0, 'f', 1));
    return ExitOk;
}

int runScan(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Checks a dataset folder: ROOT/{train,validation,test}/<class>/... or "
                       "ROOT/<class>/... (then split automatically, 80/10/10, and the split is "
                       "recorded). Decodes every image and lists the images per class and split, "
                       "the files that cannot be used, identical images and other problems. Exit "
                       "code 0: the dataset is usable; 2: it is not (the message says why)."));
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("The dataset folder."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object.")});
    parser.addOption(settingOption(studio::datasetSchema().imageSize));
    parser.addOption(settingOption(studio::datasetSchema().colorMode));
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QStringLiteral("scan needs exactly one dataset folder. Example: "
                                  "classifier-cli scan ~/fashion-mnist"));
        return ExitBadInput;
    }
    studio::DatasetSettings settings;
    settings.root = parser.positionalArguments().first();
    const studio::DatasetSchema& schema = studio::datasetSchema();
    const std::optional<QJsonValue> colorMode = settingOptionValue(parser, schema.colorMode);
    if (!intSettingOption(parser, schema.imageSize, &settings.imageSize) || !colorMode) {
        return ExitBadInput;
    }
    if (!colorMode->isNull()) {
        settings.colorMode = studio::ColorMode(schema.colorMode.choiceIndex(colorMode->toString()));
    }
    const bool terminal = stderrIsTerminal();
    std::mutex printMutex;
    studio::ScanOptions options;
    options.progress = [&](qint64 done, qint64 total) {
        if (!terminal) {
            return;
        }
        std::lock_guard<std::mutex> lock(printMutex);
        std::fprintf(stderr, "\rdecoding images: %lld / %lld", static_cast<long long>(done),
                     static_cast<long long>(total));
        std::fflush(stderr);
    };
    const studio::Result<studio::DatasetIndex> index = studio::scanDataset(settings, options);
    if (terminal) {
        std::fputs("\n", stderr);
    }
    if (!index) {
        printError(index.error());
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(
            QJsonDocument(studio::scanReportJson(*index)).toJson(QJsonDocument::Compact)));
        return ExitOk;
    }
    const qint64 imageBytes = qint64(settings.imageSize) * settings.imageSize * settings.channels();
    const qint64 budget = studio::ImageCache::defaultBudgetBytes();
    const qint64 images = index->items.size();
    const qint64 fit = std::min(images, budget / imageBytes);
    QString text = studio::scanReportText(*index);
    text += QStringLiteral("\nAt %1x%1 %2, the %3 images take %4 MiB in memory; the cache budget "
                           "(a quarter of the RAM, %5 MiB) holds %6 of them%7.\n")
                .arg(settings.imageSize)
                .arg(settings.colorMode == studio::ColorMode::Rgb ? QStringLiteral("RGB")
                                                                  : QStringLiteral("grayscale"))
                .arg(images)
                .arg(double(images * imageBytes) / (1 << 20), 0, 'f', 1)
                .arg(budget >> 20)
                .arg(fit == images ? QStringLiteral("all") : QString::number(fit))
                .arg(fit == images ? QString()
                                   : QStringLiteral("; the others are read from disk each epoch"));
    printOut(text);
    return ExitOk;
}

} // namespace

QVector<CliCommand> datasetCommands()
{
    return {{QStringLiteral("example-dataset"),
             QStringLiteral("write Fashion-MNIST as class folders of PNG images"),
             &runExampleDataset},
            {QStringLiteral("scan"),
             QStringLiteral("check a dataset folder: classes, counts, broken and identical images"),
             &runScan}};
}

} // namespace studio::cli
