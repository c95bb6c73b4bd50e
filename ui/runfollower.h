// Follows a run folder that another process writes (classifier-cli train --out, rank 0 of a
// cluster run on a shared filesystem): replays its events.jsonl from the start, then sends each
// event appended to it as TrainingWorker's signals, on the thread it lives on (the GUI's). The
// file is read on a BackgroundRunner, so a slow or network filesystem never stalls the window.
#pragma once

#include "training/eventsreader.h"
#include "uimetatypes.h"

#include <QObject>
#include <QString>

#include <memory>

class QFileSystemWatcher;
class QTimer;

namespace studio {

class BackgroundRunner;

class RunFollower : public QObject
{
    Q_OBJECT

public:
    explicit RunFollower(QObject* parent = nullptr);
    ~RunFollower() override;

    // Stops following any other folder, then sends the events runDir's events.jsonl holds so
    // far (shortly after returning, once read) and those appended later, until an end event is
    // the last one or stop() is called. A missing events.jsonl is waited for.
    void follow(const QString& runDir);
    void stop();

    bool isFollowing() const { return m_following; }
    QString runDir() const { return m_runDir; }

    // Reads the lines completed since the last read in the background and sends their events.
    // A file watcher and a timer call it (watchers miss appends on some filesystems, such as
    // NFS); a call during a read reads again after it.
    void poll();

Q_SIGNALS:
    void loading(const studio::LoadingEvent& event);
    void runStarted(const studio::RunStartedEvent& event);
    void batchDone(const studio::BatchEvent& event);
    void epochDone(const studio::EpochEvent& event);
    void advice(const studio::AdviceEvent& event);
    void runEnded(const studio::RunEndedEvent& event);
    // events.jsonl was truncated or replaced: the events sent so far are void, and the file's
    // events come again from its start.
    void restarted();
    // A line that was skipped and why, or a file that cannot be read.
    void warning(const QString& message);
    // Following ended: after the run's end event (runEnded true), or stop().
    void stopped(bool runEnded);

private:
    void stopFollowing(bool runEnded);
    void watchFiles();
    // Sends what one read found, on the GUI thread.
    void sendEvents(const EventsReader::Update& update);

    QFileSystemWatcher* m_watcher = nullptr;
    QTimer* m_timer = nullptr;
    BackgroundRunner* m_runner = nullptr;
    std::shared_ptr<EventsReader> m_reader; // shared with the read in progress
    quint64 m_read = 0;                     // the read in progress, 0 when none
    bool m_pollAgain = false;               // poll() was called during the read
    QString m_runDir;
    bool m_following = false;
    quint64 m_generation = 0; // changes when following stops, so a poll in progress ends
};

} // namespace studio
