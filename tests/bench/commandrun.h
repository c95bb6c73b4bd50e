// A whole command run by a benchmark: timed from its start, its JSON output lines kept with the
// time each arrived, and its peak memory sampled while it runs.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVector>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace studio::bench {

// A line of /proc/PROCESS/status in MiB ("VmHWM:" the peak resident set, "VmRSS:" the current
// one); `process` is a pid or "self". -1 when it cannot be read.
inline double procStatusMiB(const QString& process, const char* key)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(process));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(key)) {
            return line.mid(int(qstrlen(key))).trimmed().split(' ').first().toDouble() / 1024.0;
        }
    }
    return -1;
}

// Peak resident set of a running process in MiB, 0 when it cannot be read.
inline double peakRssMbOf(qint64 pid)
{
    return std::max(0.0, procStatusMiB(QString::number(pid), "VmHWM:"));
}

// A JSON line of a command's output and the seconds from the command's start to its arrival.
struct TimedLine
{
    double seconds = 0;
    QJsonObject object;
};

// What a benchmark saw of one command.
struct CommandRun
{
    bool ok = false;      // exited with 0, or was stopped by the caller's condition
    bool stopped = false; // the caller's condition held for a line and the process was killed
    double wallSeconds = 0;
    double peakRssMb = 0; // the process itself, sampled every 100 ms and at each line
    QVector<TimedLine> lines;

    // The lines whose "event" is `name`, in order.
    QVector<TimedLine> events(const QString& name) const
    {
        QVector<TimedLine> found;
        std::copy_if(lines.begin(), lines.end(), std::back_inserter(found),
                     [&](const TimedLine& l) {
                         return l.object.value(QStringLiteral("event")).toString() == name;
                     });
        return found;
    }
    // Seconds to the first / last line of event `name`; -1 when there is none.
    double firstSeconds(const QString& name) const
    {
        const QVector<TimedLine> found = events(name);
        return found.isEmpty() ? -1 : found.first().seconds;
    }
    double lastSeconds(const QString& name) const
    {
        const QVector<TimedLine> found = events(name);
        return found.isEmpty() ? -1 : found.last().seconds;
    }
};

// Runs `program` to its end (or until `stopWhen` holds for one of its JSON lines, then kills
// it), its standard error going to `errorFile` (printed when it fails).
inline CommandRun
runCommand(const QString& program, const QStringList& arguments, const QString& errorFile,
           const std::function<bool(const QJsonObject&)>& stopWhen = {},
           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    CommandRun run;
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setStandardErrorFile(errorFile);
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    if (!process.waitForStarted()) {
        std::fprintf(stderr, "could not start %s\n", qPrintable(program));
        return run;
    }
    const qint64 pid = process.processId();
    QByteArray pending;
    const auto takeLines = [&] {
        pending += process.readAllStandardOutput();
        for (qsizetype end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(pending.left(end)).object();
            pending.remove(0, end + 1);
            if (object.isEmpty()) {
                continue;
            }
            run.lines.append({double(clock.nsecsElapsed()) / 1e9, object});
            if (!run.stopped && stopWhen && stopWhen(object)) {
                run.stopped = true;
                process.kill();
            }
        }
    };
    while (process.state() != QProcess::NotRunning) {
        run.peakRssMb = std::max(run.peakRssMb, peakRssMbOf(pid));
        process.waitForReadyRead(100);
        takeLines();
    }
    run.wallSeconds = double(clock.nsecsElapsed()) / 1e9;
    takeLines();
    run.ok =
        run.stopped || (process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0);
    if (!run.ok) {
        QFile errors(errorFile);
        if (errors.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "failed: %s %s\n%s\n", qPrintable(program),
                         qPrintable(arguments.join(QLatin1Char(' '))),
                         errors.readAll().right(2000).constData());
        }
    }
    return run;
}

} // namespace studio::bench
