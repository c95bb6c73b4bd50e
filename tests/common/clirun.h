// Runs classifier-cli as a child process and keeps what it printed and returned (CLI tests).
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio::testdata {

// What one run of the CLI printed and returned; exitCode is -1 when it crashed or timed out.
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// STUDIO_CLI_PATH is defined for every test by tests/CMakeLists.txt.
inline CliRun runCli(const QStringList& arguments, int timeoutMs = 600000)
{
    QProcess process;
    process.start(QStringLiteral(STUDIO_CLI_PATH), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// The JSON objects of `--json` output, one per line. Lines that are not a JSON object go to
// notJson when given (a process still writing may end with half a line).
inline QVector<QJsonObject> jsonLines(const QByteArray& out, QStringList* notJson = nullptr)
{
    QVector<QJsonObject> objects;
    for (const QByteArray& line : out.trimmed().split('\n')) {
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject()) {
            objects.append(document.object());
        } else if (notJson != nullptr) {
            notJson->append(QString::fromUtf8(line));
        }
    }
    return objects;
}

// `classifier-cli train` on a makeShapes() dataset with the small template, batch 8, one
// thread, JSON lines: a run of a few seconds.
inline QStringList shapesTrainArguments(const QString& data, const QString& out, int epochs,
                                        int imageSize)
{
    return {QStringLiteral("train"),
            QStringLiteral("--data"),
            data,
            QStringLiteral("--template"),
            QStringLiteral("small"),
            QStringLiteral("--image-size"),
            QString::number(imageSize),
            QStringLiteral("--epochs"),
            QString::number(epochs),
            QStringLiteral("--batch-size"),
            QStringLiteral("8"),
            QStringLiteral("--threads"),
            QStringLiteral("1"),
            QStringLiteral("--out"),
            out,
            QStringLiteral("--json")};
}

} // namespace studio::testdata
