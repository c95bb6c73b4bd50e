// Private to core/dataset: running work on our own threads without OpenCV's pool fighting them.
#pragma once

#include <functional>

namespace studio {

// Every core, at least one.
int hardwareThreads();

// While alive, OpenCV's internal parallelism is off (our workers are the parallelism). Nested
// and concurrent guards are counted; the previous setting returns when the last one ends.
class OpenCvSingleThreaded
{
public:
    OpenCvSingleThreaded();
    ~OpenCvSingleThreaded();
    OpenCvSingleThreaded(const OpenCvSingleThreaded&) = delete;
    OpenCvSingleThreaded& operator=(const OpenCvSingleThreaded&) = delete;
};

// Sets OpenCV's thread count for the process, as at::set_num_threads sets LibTorch's (for a
// network run by OpenCV's DNN module). While OpenCvSingleThreaded guards are open, it takes
// effect when the last one ends.
void setOpenCvThreads(int threads);

// Runs work(worker) on `threads` threads (the calling thread is worker 0) and waits for all.
void runOnWorkers(int threads, const std::function<void(int worker)>& work);

} // namespace studio
