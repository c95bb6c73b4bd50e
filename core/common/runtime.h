// The LibTorch process set-up shared by the trainer and the predictor.
#pragma once

namespace studio {

// Applies the runtime set-up chosen by measurement (tests/bench/bench_training,
// bench_inference): intra-op threads (0: all cores), flush-denormal on every intra-op thread,
// malloc thresholds. Returns the thread count used. Trainer and Predictor call it.
int setUpRuntime(int threads);

} // namespace studio
