// The run folder's lock file (see runlock.h). Torch-free.
#include "training/runlock.h"

#include "common/nativepath.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSysInfo>

#include <cerrno>
#include <csignal>

#ifdef Q_OS_UNIX
#include <sys/types.h>
#endif

namespace studio {

namespace {

// Whether process `pid` on this machine still exists.
bool processAlive(qint64 pid)
{
#ifdef Q_OS_UNIX
    if (pid <= 0) {
        return false;
    }
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
#else
    Q_UNUSED(pid);
    return true; // cannot tell: QLockFile's own check decides when the lock is taken
#endif
}

} // namespace

RunLock::RunLock() = default;
RunLock::RunLock(RunLock&&) noexcept = default;
RunLock& RunLock::operator=(RunLock&& other) noexcept
{
    if (this != &other) {
        release();
        m_lock = std::move(other.m_lock);
    }
    return *this;
}

RunLock::~RunLock()
{
    release();
}

void RunLock::release()
{
    if (m_lock != nullptr) {
        m_lock->unlock();
        m_lock.reset();
    }
}

Result<RunLock> RunLock::acquire(const QString& runDir)
{
    auto lock = std::make_unique<QLockFile>(QDir(runDir).filePath(kRunLockFile));
    lock->setStaleLockTime(0); // a long run never goes stale by age, only when its process dies
    if (!lock->tryLock(0)) {
        if (lock->error() == QLockFile::LockFailedError) {
            qint64 pid = 0;
            QString host, application;
            lock->getLockInfo(&pid, &host, &application);
            return Failure{QStringLiteral("The run folder '%1' is being written by %2 (process "
                                          "%3 on %4). Wait for it to end or stop it first.")
                               .arg(native(runDir), application.isEmpty()
                                                        ? QStringLiteral("another program")
                                                        : application)
                               .arg(pid)
                               .arg(host.isEmpty() ? QStringLiteral("this machine") : host)};
        }
        return Failure{QStringLiteral("Cannot create the lock file '%1' in '%2'. Check that the "
                                      "folder is writable.")
                           .arg(kRunLockFile, native(runDir))};
    }
    RunLock result;
    result.m_lock = std::move(lock);
    return result;
}

RunLockState runLockState(const QString& runDir)
{
    RunLockState state;
    const QString path = QDir(runDir).filePath(kRunLockFile);
    QLockFile file(path);
    if (!file.getLockInfo(&state.pid, &state.host, &state.application)) {
        state.stale = QFileInfo::exists(path); // unreadable or empty: its writer died early
        return state;
    }
    const bool here = state.host.isEmpty() || state.host == QSysInfo::machineHostName();
    state.held = !here || processAlive(state.pid);
    state.stale = !state.held;
    return state;
}

} // namespace studio
