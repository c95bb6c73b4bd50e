#include "dataset/parallel_p.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace studio {

namespace {

std::mutex g_guardMutex;
int g_guards = 0;
int g_savedThreads = -1;

} // namespace

int hardwareThreads()
{
    return std::max(1, int(std::thread::hardware_concurrency()));
}

OpenCvSingleThreaded::OpenCvSingleThreaded()
{
    std::lock_guard<std::mutex> lock(g_guardMutex);
    if (g_guards++ == 0) {
        g_savedThreads = cv::getNumThreads();
        cv::setNumThreads(1);
    }
}

OpenCvSingleThreaded::~OpenCvSingleThreaded()
{
    std::lock_guard<std::mutex> lock(g_guardMutex);
    if (--g_guards == 0) {
        cv::setNumThreads(g_savedThreads);
    }
}

void setOpenCvThreads(int threads)
{
    std::lock_guard<std::mutex> lock(g_guardMutex);
    if (g_guards > 0) {
        g_savedThreads = threads;
    } else if (cv::getNumThreads() != threads) {
        cv::setNumThreads(threads);
    }
}

void runOnWorkers(int threads, const std::function<void(int worker)>& work)
{
    const OpenCvSingleThreaded guard;
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t) {
        workers.emplace_back(work, t);
    }
    work(0);
    for (std::thread& worker : workers) {
        worker.join();
    }
}

} // namespace studio
