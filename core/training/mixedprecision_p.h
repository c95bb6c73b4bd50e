// Private to core/training: the training.precision setting applied to a forward pass. Includes
// torch: for .cpp files built WITH_TORCH only.
#pragma once

#include "project/trainingsettings.h"

#include <c10/core/ScalarType.h>

namespace studio {

// While it lives, the CPU operators LibTorch's autocast lists (convolutions, Dense layers) run
// in bfloat16 for Precision::MixedBFloat16; the weights stay float32 and their bfloat16 copies
// are dropped at the end. Does nothing for Precision::Float32. One per forward pass, on the
// thread that runs it (autocast is per thread).
class MixedPrecisionScope
{
public:
    explicit MixedPrecisionScope(Precision precision);
    ~MixedPrecisionScope();
    MixedPrecisionScope(const MixedPrecisionScope&) = delete;
    MixedPrecisionScope& operator=(const MixedPrecisionScope&) = delete;

private:
    bool m_on = false;
    bool m_wasEnabled = false;
    c10::ScalarType m_previousType = c10::ScalarType::BFloat16;
};

// "float32" or "mixed bfloat16 (...)", for the run's log.
QString describePrecision(Precision precision);

} // namespace studio
