// The lock file a process holds in a run folder while it writes it (training, resume, the folds
// of a cross-validation), so that a run being written shows as running and a crashed one does
// not: QLockFile records the process id and host, and a lock whose process is gone is stale.
#pragma once

#include "common/result.h"

#include <QString>

#include <memory>

class QLockFile;

namespace studio {

// The name of the lock file in a run folder or a cross-validation folder.
inline const QString kRunLockFile = QStringLiteral("run.lock");

// Holds runDir/run.lock from acquire() until it is destroyed (RAII); movable, not copyable.
class RunLock
{
public:
    RunLock();
    RunLock(RunLock&&) noexcept;
    RunLock& operator=(RunLock&&) noexcept;
    ~RunLock();

    // Takes the lock of the existing folder `runDir`. A lock left by a process that is gone is
    // taken over; one held by a live process is a Failure naming the folder and the process.
    static Result<RunLock> acquire(const QString& runDir);

    bool isHeld() const { return m_lock != nullptr; }
    // Removes the lock file now (the destructor does it otherwise).
    void release();

private:
    std::unique_ptr<QLockFile> m_lock;
};

// Who holds a folder's lock, read without touching the file.
struct RunLockState
{
    bool held = false;  // a live process on this machine, or a process on another machine, holds it
    bool stale = false; // a lock file is there but its process is gone (crashed or killed)
    qint64 pid = 0;
    QString host;
    QString application;
};

// Reads runDir/run.lock: no file, a live holder, or a stale file. A lock taken on another host
// counts as held (its process cannot be checked from here).
RunLockState runLockState(const QString& runDir);

} // namespace studio
