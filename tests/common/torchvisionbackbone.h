// A torchvision ResNet-18 exported as a feature extractor by Debian's python3-torchvision, as
// the README shows (tests/app/export_torchvision_backbone.py).
#pragma once

#include "pythondeps.h"

#include <QProcess>
#include <QString>

namespace studio::testdata {

// Writes the backbone with an input of size x size px to `path` (check missingPythonModules()
// first); returns what went wrong (with Python's output), or an empty string.
inline QString exportTorchvisionBackbone(const QString& path, int size)
{
    QProcess python;
    python.setProcessChannelMode(QProcess::MergedChannels);
    python.start(pythonInterpreter(),
                 {QStringLiteral(STUDIO_SOURCE_DIR) +
                      QStringLiteral("/tests/app/export_torchvision_backbone.py"),
                  path, QString::number(size)});
    if (!python.waitForFinished(300000) || python.exitStatus() != QProcess::NormalExit ||
        python.exitCode() != 0) {
        return QStringLiteral("%1 could not export the backbone: ").arg(pythonInterpreter()) +
               QString::fromUtf8(python.readAll()) + python.errorString();
    }
    return {};
}

} // namespace studio::testdata

// Exports the backbone to `path` in a test function: a missing torch or torchvision is
// STUDIO_MISSING_DEPENDENCY (a skip, a failure on CI), an export that fails is a failure.
#define STUDIO_EXPORT_TORCHVISION_BACKBONE(path, size)                                             \
    do {                                                                                           \
        const QString studioNeeded_ = studio::testdata::missingPythonModules(                      \
            {QStringLiteral("torch"), QStringLiteral("torchvision")});                             \
        if (!studioNeeded_.isEmpty()) {                                                            \
            STUDIO_MISSING_DEPENDENCY(studioNeeded_);                                              \
        }                                                                                          \
        const QString studioExported_ = studio::testdata::exportTorchvisionBackbone(path, size);   \
        QVERIFY2(studioExported_.isEmpty(), qPrintable(studioExported_));                          \
    } while (false)
