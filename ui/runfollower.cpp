#include "runfollower.h"

#include "backgroundrunner.h"
#include "training/trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace studio {

namespace {

// How often the file is read when the watcher says nothing: NFS and other network
// filesystems send no notifications for another machine's appends.
constexpr int kPollIntervalMs = 250;

} // namespace

RunFollower::RunFollower(QObject* parent) : QObject(parent)
{
    registerUiMetaTypes();
    m_runner = new BackgroundRunner(QStringLiteral("run follower"), this);
    m_watcher = new QFileSystemWatcher(this);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &RunFollower::poll);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &RunFollower::poll);
    m_timer = new QTimer(this);
    m_timer->setInterval(kPollIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &RunFollower::poll);
}

RunFollower::~RunFollower() = default;

void RunFollower::follow(const QString& runDir)
{
    stop();
    m_runDir = QDir(runDir).absolutePath();
    m_reader = std::make_shared<EventsReader>(QDir(m_runDir).filePath(runfiles::events));
    m_following = true;
    m_timer->start();
    poll();
}

void RunFollower::stop()
{
    stopFollowing(false);
}

void RunFollower::stopFollowing(bool runEnded)
{
    if (!m_following) {
        return;
    }
    m_following = false;
    ++m_generation;
    m_runner->cancel(m_read);
    m_read = 0;
    m_pollAgain = false;
    m_timer->stop();
    const QStringList watched = m_watcher->files() + m_watcher->directories();
    if (!watched.isEmpty()) {
        m_watcher->removePaths(watched);
    }
    m_reader.reset();
    Q_EMIT stopped(runEnded);
}

void RunFollower::watchFiles()
{
    // A replaced events.jsonl drops out of the watcher, and one written later was not there to
    // be watched: (re)add whatever exists now.
    for (const QString& path : {m_runDir, m_reader->path()}) {
        if (QFileInfo::exists(path) && !m_watcher->files().contains(path) &&
            !m_watcher->directories().contains(path)) {
            m_watcher->addPath(path);
        }
    }
}

void RunFollower::poll()
{
    if (!m_following) {
        return;
    }
    watchFiles();
    if (m_read != 0) {
        m_pollAgain = true;
        return;
    }
    m_read = m_runner->run([reader = m_reader](const BackgroundJob&) { return reader->readNew(); },
                           [this](const EventsReader::Update& update) {
                               m_read = 0;
                               sendEvents(update);
                               if (m_pollAgain && m_following) {
                                   m_pollAgain = false;
                                   poll();
                               }
                           });
}

void RunFollower::sendEvents(const EventsReader::Update& update)
{
    // A receiver may stop following, or follow another folder, from any signal below.
    const quint64 generation = m_generation;
    if (update.restarted) {
        Q_EMIT restarted();
    }
    for (const QString& message : update.warnings) {
        if (generation != m_generation) {
            return;
        }
        Q_EMIT warning(message);
    }
    for (const RunEvent& event : update.events) {
        if (generation != m_generation) {
            return;
        }
        switch (event.kind) {
        case RunEvent::Kind::Loading:
            Q_EMIT loading(event.loading);
            break;
        case RunEvent::Kind::Started:
            Q_EMIT runStarted(event.started);
            break;
        case RunEvent::Kind::Batch:
            Q_EMIT batchDone(event.batch);
            break;
        case RunEvent::Kind::Epoch:
            Q_EMIT epochDone(event.epoch);
            break;
        case RunEvent::Kind::Advice:
            Q_EMIT advice(event.advice);
            break;
        case RunEvent::Kind::Ended:
            Q_EMIT runEnded(event.ended);
            break;
        }
    }
    // An end event in the middle (a run stopped, then resumed into the same folder) is
    // history; one that is the last line so far ends the run.
    if (generation == m_generation && !update.events.isEmpty() &&
        update.events.last().kind == RunEvent::Kind::Ended) {
        stopFollowing(true);
    }
}

} // namespace studio
