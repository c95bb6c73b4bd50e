// Python for the cross-checks and fixtures: which interpreter runs, whether it has the modules a
// test needs, and what a missing one does: a skip on a developer's machine, a failure on CI.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

namespace studio::testdata {

// The interpreter the tests run: $STUDIO_PYTHON, else Debian's /usr/bin/python3.
inline QString pythonInterpreter()
{
    const QString chosen = qEnvironmentVariable("STUDIO_PYTHON");
    return chosen.isEmpty() ? QStringLiteral("/usr/bin/python3") : chosen;
}

// Empty when pythonInterpreter() imports every one of `modules`; else why not, with Python's own
// last line ("No module named 'torch'") and the packages to install.
inline QString missingPythonModules(const QStringList& modules)
{
    QProcess python;
    python.setProcessChannelMode(QProcess::MergedChannels);
    python.start(
        pythonInterpreter(),
        {QStringLiteral("-c"), QStringLiteral("import ") + modules.join(QStringLiteral(", "))});
    if (!python.waitForFinished(120000)) {
        return QStringLiteral("%1 did not run (%2): install python3 (packaging/install-deps.sh).")
            .arg(pythonInterpreter(), python.errorString());
    }
    if (python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0) {
        return {};
    }
    const QStringList said = QString::fromUtf8(python.readAll()).trimmed().split(QLatin1Char('\n'));
    return QStringLiteral("%1 cannot import %2 (%3): install Debian's python3-torch, "
                          "python3-numpy and python3-torchvision (packaging/install-deps.sh).")
        .arg(pythonInterpreter(), modules.join(QStringLiteral(", ")), said.last().trimmed());
}

// On CI (the CI environment variable set, as .ci/run's machine sets it) a missing dependency
// is a broken machine, so the test fails; elsewhere it is skipped.
inline bool missingDependencyFails()
{
    return qEnvironmentVariableIsSet("CI");
}

} // namespace studio::testdata

// Ends the test function for a missing dependency: QFAIL on CI, QSKIP elsewhere.
#define STUDIO_MISSING_DEPENDENCY(message)                                                         \
    do {                                                                                           \
        const QString studioMissing_ = (message);                                                  \
        if (studio::testdata::missingDependencyFails()) {                                          \
            QFAIL(qPrintable(QStringLiteral("CI is set, so this fails instead of skipping: ") +    \
                             studioMissing_));                                                     \
        }                                                                                          \
        QSKIP(qPrintable(studioMissing_));                                                         \
    } while (false)
