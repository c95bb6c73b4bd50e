// Runs classifier-cli as a child process and keeps what it printed and returned (CLI tests).
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

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

} // namespace studio::testdata
