// classifier-studio: the desktop application.
#include "mainwindow.h"

#include "common/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

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
    parser.addPositionalArgument(
        QStringLiteral("PATH"),
        QStringLiteral("A project file (.json) or a dataset folder to open (optional)."),
        QStringLiteral("[PROJECT.json | DATASET]"));
    parser.process(app);

    studio::MainWindow window;
    if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().first();
        if (QFileInfo(path).isFile()) {
            window.openProject(path);
        } else {
            window.openDataset(path);
        }
    }
    window.show();
    return QApplication::exec();
}
