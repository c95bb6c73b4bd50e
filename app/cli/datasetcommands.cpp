// classifier-cli commands of the dataset area: example-dataset.
#include "clicommand.h"

#include "dataset/fashionmnist.h"

#include <QDir>
#include <QElapsedTimer>

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
                      QStringLiteral("Side of the square PNGs in pixels (default 28, native)."),
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
        !intOption(parser, QStringLiteral("image-size"), 8, &options.imageSize)) {
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

} // namespace

QVector<CliCommand> datasetCommands()
{
    return {{QStringLiteral("example-dataset"),
             QStringLiteral("write Fashion-MNIST as class folders of PNG images"),
             &runExampleDataset}};
}

} // namespace studio::cli
