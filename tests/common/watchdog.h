// A watchdog for tests of hostile input: a hang fails the test instead of blocking it.
#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace studio::testdata {

// Ends the whole process when it is not disarmed in time: a hang fails the test instead of
// blocking it.
class Watchdog
{
public:
    Watchdog(const QString& what, int seconds)
        : m_what(what.toLocal8Bit()), m_thread([this, seconds] {
              std::unique_lock<std::mutex> lock(m_mutex);
              if (!m_wake.wait_for(lock, std::chrono::seconds(seconds),
                                   [this] { return m_done; })) {
                  std::fprintf(stderr, "FAIL: %s did not finish within %d s (a hang)\n",
                               m_what.constData(), seconds);
                  std::fflush(stderr);
                  std::_Exit(3);
              }
          })
    {}
    ~Watchdog()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    QByteArray m_what;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread;
};

} // namespace studio::testdata
