// The UI's one way of running work off the GUI thread: every job gets a request id and a
// cancellation flag, runs on the runner's thread, and hands its result (and any progress it
// posts) back to the GUI thread, dropped once the job is cancelled. Calls cross threads through
// two mutex-guarded queues (CallQueue); Qt's event loop only carries an argument-less "run the
// next call" slot call, so the hand-over is ordered by a lock that ThreadSanitizer sees.
#pragma once

#include <QHash>
#include <QMetaObject>
#include <QObject>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

class QThread;

namespace studio {

// A job's state shared between the GUI thread and the runner's thread.
struct BackgroundJobState
{
    quint64 request = 0;
    std::atomic<bool> cancelled{false};
};

class BackgroundRunner;
class BackgroundExecutor;

// Calls handed from one thread to another, in order: the sender push()es each call and posts
// one wake-up; each wake-up on the receiver runs the oldest call (so a call that spins a nested
// event loop, such as a dialog, does not hold back or reorder the ones after it).
class CallQueue
{
public:
    void push(std::function<void()> call);
    // The oldest call, or an empty function when there is none.
    std::function<void()> takeFirst();

private:
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_calls;
};

// What a running job sees: its request id, whether it was cancelled (poll it in long loops;
// cancelFlag() is what core's cancellable functions take), and post() for progress.
class BackgroundJob
{
public:
    BackgroundJob(BackgroundRunner* runner, std::shared_ptr<BackgroundJobState> state)
        : m_runner(runner), m_state(std::move(state))
    {}
    quint64 request() const { return m_state->request; }
    bool cancelled() const { return m_state->cancelled.load(); }
    const std::atomic<bool>* cancelFlag() const { return &m_state->cancelled; }
    std::atomic<bool>* cancelFlag() { return &m_state->cancelled; }
    // Queues `call` to run on the GUI thread, unless the job is cancelled before it runs.
    template <typename Call> void post(Call call) const;

private:
    BackgroundRunner* m_runner;
    std::shared_ptr<BackgroundJobState> m_state;
};

// Runs jobs one at a time, in order, on its own thread. The owner calls run() on the GUI thread;
// `done` gets the job's result there. Destroying the runner cancels every job and waits for the
// one running.
class BackgroundRunner : public QObject
{
    Q_OBJECT

public:
    explicit BackgroundRunner(const QString& name, QObject* parent = nullptr);
    ~BackgroundRunner() override;

    // Queues `work(const BackgroundJob&)` and returns its request id. When it returns, `done`
    // runs on the GUI thread with its result (no argument when it returns nothing), unless
    // the job was cancelled first.
    template <typename Work, typename Done> quint64 run(Work work, Done done);

    // Cancels the job: it is skipped if it has not started, its flag is set if it runs, and its
    // progress and result are dropped. Unknown or finished requests are ignored.
    void cancel(quint64 request);
    void cancelAll();
    // Whether a job is queued or running that was not cancelled.
    bool isBusy() const;
    // Blocks until every queued job has run (for tests and shutdown).
    void waitForIdle();

Q_SIGNALS:
    // The runner went from idle to busy or back.
    void busyChanged(bool busy);

private Q_SLOTS:
    // Runs the oldest call deliver() queued for the GUI thread.
    void runDelivered();

private:
    std::shared_ptr<BackgroundJobState> startJob();
    void endJob(quint64 request);
    void queueOnThread(std::function<void()> call);
    // Runs `call` on the GUI thread unless `state` is cancelled by then.
    void deliver(const std::shared_ptr<BackgroundJobState>& state, std::function<void()> call);
    friend class BackgroundJob;

    CallQueue m_toThread; // drained on m_thread by m_executor
    CallQueue m_toGui;    // drained on the GUI thread by runDelivered()
    QThread* m_thread;
    BackgroundExecutor* m_executor;                             // lives on m_thread
    QHash<quint64, std::shared_ptr<BackgroundJobState>> m_jobs; // queued or running
    quint64 m_lastRequest = 0;
};

template <typename Call> void BackgroundJob::post(Call call) const
{
    m_runner->deliver(m_state, std::function<void()>(std::move(call)));
}

template <typename Work, typename Done> quint64 BackgroundRunner::run(Work work, Done done)
{
    std::shared_ptr<BackgroundJobState> state = startJob();
    queueOnThread([this, state, work = std::move(work), done = std::move(done)]() mutable {
        if (state->cancelled.load()) {
            deliver(nullptr, [this, request = state->request] { endJob(request); });
            return;
        }
        const BackgroundJob job(this, state);
        if constexpr (std::is_void_v<std::invoke_result_t<Work&, const BackgroundJob&>>) {
            work(job);
            deliver(nullptr, [this, state, done = std::move(done)]() mutable {
                endJob(state->request);
                if (!state->cancelled.load()) {
                    done();
                }
            });
        } else {
            auto result =
                std::make_shared<std::invoke_result_t<Work&, const BackgroundJob&>>(work(job));
            deliver(nullptr, [this, state, result, done = std::move(done)]() mutable {
                endJob(state->request);
                if (!state->cancelled.load()) {
                    done(std::move(*result));
                }
            });
        }
    });
    return state->request;
}

} // namespace studio
