// Private to core: the fit loop, from a prepared session's first epoch to the end of its run.
#pragma once

#include "training/trainer.h"

namespace studio {

class RunLog;
struct Session;

// Trains epochs s.state.epoch to s.totalEpochs with callbacks and checkpoints, exports the model
// at the end, and reports every event to `observer` (may be null) and `log`.
TrainResult fit(Session& s, TrainingObserver* observer, TrainingControl* control, RunLog& log);

} // namespace studio
