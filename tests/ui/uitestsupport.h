// Helpers shared by the ui tests: a tiny trainable project on the generated shapes dataset.
#pragma once

#include "project/project.h"
#include "shapesproject.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

#include <algorithm>
#include <vector>

namespace studio::uitest {

// Gives this test process empty settings of its own, in a temporary folder that goes with it: a
// run killed halfway (a sanitizer stops at its first report) leaves no remembered folder or
// choice behind for the next run, on this build or another, to start from.
inline void useFreshSettings()
{
    static QTemporaryDir folder;
    QCoreApplication::setOrganizationName(QStringLiteral("ClassifierStudioTests"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder.path());
}

// A project over `root` (made by testdata::makeShapes) that trains in seconds.
inline Project tinyProject(const QString& root, int epochs = 1)
{
    return testdata::shapesProject(root, epochs);
}

// Max and median of a list of delays in milliseconds.
struct DelayStats
{
    double max = 0;
    double median = 0;
    int samples = 0;
};

inline DelayStats delayStats(std::vector<double> delays)
{
    DelayStats stats;
    stats.samples = int(delays.size());
    if (delays.empty()) {
        return stats;
    }
    std::sort(delays.begin(), delays.end());
    stats.max = delays.back();
    stats.median = delays[delays.size() / 2];
    return stats;
}

} // namespace studio::uitest
