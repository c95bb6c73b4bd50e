#include "backgroundrunner.h"

#include <QThread>

#include <condition_variable>

namespace studio {

// Lives on the runner's thread and runs the calls queued for it there.
class BackgroundExecutor : public QObject
{
    Q_OBJECT

public:
    explicit BackgroundExecutor(CallQueue* calls) : m_calls(calls) {}

public Q_SLOTS:
    void runQueued()
    {
        if (std::function<void()> call = m_calls->takeFirst()) {
            call();
        }
    }

private:
    CallQueue* m_calls;
};

void CallQueue::push(std::function<void()> call)
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_calls.push_back(std::move(call));
}

std::function<void()> CallQueue::takeFirst()
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_calls.empty()) {
        return {};
    }
    std::function<void()> call = std::move(m_calls.front());
    m_calls.pop_front();
    return call;
}

BackgroundRunner::BackgroundRunner(const QString& name, QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_executor(new BackgroundExecutor(&m_toThread))
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
    std::mutex mutex;
    std::condition_variable wake;
    bool reached = false;
    queueOnThread([&] {
        const std::lock_guard<std::mutex> lock(mutex);
        reached = true;
        wake.notify_one();
    });
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait(lock, [&] { return reached; });
}

// Only an argument-less slot call crosses Qt's event queue; the call itself goes through
// m_toThread.
void BackgroundRunner::queueOnThread(std::function<void()> call)
{
    m_toThread.push(std::move(call));
    QMetaObject::invokeMethod(m_executor, "runQueued", Qt::QueuedConnection);
}

void BackgroundRunner::deliver(const std::shared_ptr<BackgroundJobState>& state,
                               std::function<void()> call)
{
    m_toGui.push([state, call = std::move(call)] {
        if (state == nullptr || !state->cancelled.load()) {
            call();
        }
    });
    QMetaObject::invokeMethod(this, "runDelivered", Qt::QueuedConnection);
}

void BackgroundRunner::runDelivered()
{
    if (std::function<void()> call = m_toGui.takeFirst()) {
        call();
    }
}

} // namespace studio

#include "backgroundrunner.moc"
