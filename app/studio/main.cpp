// classifier-studio: the desktop application.
#include "mainwindow.h"

#include "common/version.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("classifier-studio"));
    QApplication::setApplicationDisplayName(QString::fromLatin1(studio::kProductName));
    QApplication::setApplicationVersion(QString::fromLatin1(studio::kVersion));
    QApplication::setOrganizationName(QString::fromLatin1(studio::kOrganization));
    QApplication::setDesktopFileName(QStringLiteral("classifier-studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("%1: train an image classifier from a folder of images, watch it learn, "
                       "see where it errs, and export the model.")
            .arg(QString::fromLatin1(studio::kProductName)));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("DATASET"),
                                 QStringLiteral("Dataset folder to open (optional)."),
                                 QStringLiteral("[DATASET]"));
    parser.process(app);

    studio::MainWindow window;
    if (!parser.positionalArguments().isEmpty()) {
        window.openDataset(parser.positionalArguments().first());
    }
    window.show();
    return QApplication::exec();
}
