// Tests of setUpRuntime(): flush-denormal reaches every intra-op thread, not only the caller
// (denormal activations made whole batches 4x slower on a thread without it).
#include "common/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <QtTest>

#include <immintrin.h>

#include <mutex>
#include <set>
#include <thread>

using namespace studio;

namespace {

// The MXCSR bits that make SSE/AVX arithmetic flush denormal results to zero (FTZ) and read
// denormal inputs as zero (DAZ): what at::globalContext().setFlushDenormal(true) sets.
constexpr unsigned kFlushToZero = 0x8000;
constexpr unsigned kDenormalsAreZero = 0x0040;

// The intra-op threads and the flush-denormal bits each has.
struct IntraOpThreads
{
    std::set<std::thread::id> ids;
    std::set<unsigned> flags;
};

// Runs one chunk per intra-op thread, as LibTorch's own kernels split their work.
IntraOpThreads intraOpThreads()
{
    std::mutex guard;
    IntraOpThreads seen;
    at::parallel_for(0, at::get_num_threads(), 1, [&](int64_t, int64_t) {
        const unsigned csr = _mm_getcsr();
        const std::lock_guard<std::mutex> lock(guard);
        seen.ids.insert(std::this_thread::get_id());
        seen.flags.insert(csr & (kFlushToZero | kDenormalsAreZero));
    });
    return seen;
}

} // namespace

class TestRuntime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A new intra-op thread copies the flags of the thread that starts it; these already run
    // (LibTorch starts them at its first parallel operation, which may come before the set-up).
    void flushDenormalReachesIntraOpThreadsThatAlreadyRun()
    {
        at::set_num_threads(2);
        at::globalContext().setFlushDenormal(false);
        const IntraOpThreads before = intraOpThreads();
        QCOMPARE(int(before.ids.size()), 2);
        QCOMPARE(before.flags, std::set<unsigned>{0});
        QCOMPARE(setUpRuntime(2), 2);
        const IntraOpThreads after = intraOpThreads();
        QCOMPARE(after.ids, before.ids);
        QCOMPARE(after.flags, std::set<unsigned>{kFlushToZero | kDenormalsAreZero});
    }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
