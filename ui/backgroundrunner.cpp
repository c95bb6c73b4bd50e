#include "backgroundrunner.h"

#include <QThread>

#include <QSemaphore>

namespace studio {

BackgroundRunner::BackgroundRunner(const QString& name, QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_executor(new QObject)
{
    m_thread->setObjectName(name);
    m_executor->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_executor, &QObject::deleteLater);
    m_thread->start();
}

BackgroundRunner::~BackgroundRunner()
{
    cancelAll();
    m_thread->quit();
    m_thread->wait();
}

std::shared_ptr<BackgroundJobState> BackgroundRunner::startJob()
{
    auto state = std::make_shared<BackgroundJobState>();
    state->request = ++m_lastRequest;
    const bool wasBusy = isBusy();
    m_jobs.insert(state->request, state);
    if (!wasBusy) {
        Q_EMIT busyChanged(true);
    }
    return state;
}

void BackgroundRunner::endJob(quint64 request)
{
    const bool wasBusy = isBusy();
    m_jobs.remove(request);
    if (wasBusy && !isBusy()) {
        Q_EMIT busyChanged(false);
    }
}

void BackgroundRunner::cancel(quint64 request)
{
    const auto job = m_jobs.constFind(request);
    if (job == m_jobs.constEnd() || job.value()->cancelled.load()) {
        return;
    }
    const bool wasBusy = isBusy();
    job.value()->cancelled.store(true);
    if (wasBusy && !isBusy()) {
        Q_EMIT busyChanged(false);
    }
}

void BackgroundRunner::cancelAll()
{
    for (quint64 request : m_jobs.keys()) {
        cancel(request);
    }
}

bool BackgroundRunner::isBusy() const
{
    for (const std::shared_ptr<BackgroundJobState>& job : m_jobs) {
        if (!job->cancelled.load()) {
            return true;
        }
    }
    return false;
}

void BackgroundRunner::waitForIdle()
{
    QSemaphore done;
    queueOnThread([&done] { done.release(); });
    done.acquire();
}

void BackgroundRunner::queueOnThread(std::function<void()> call)
{
    QMetaObject::invokeMethod(m_executor, std::move(call), Qt::QueuedConnection);
}

void BackgroundRunner::deliver(const std::shared_ptr<BackgroundJobState>& state,
                               std::function<void()> call)
{
    QMetaObject::invokeMethod(
        this,
        [state, call = std::move(call)] {
            if (state == nullptr || !state->cancelled.load()) {
                call();
            }
        },
        Qt::QueuedConnection);
}

} // namespace studio
