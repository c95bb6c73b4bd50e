#include "training/mixedprecision_p.h"

#include <ATen/autocast_mode.h>

namespace studio {

MixedPrecisionScope::MixedPrecisionScope(Precision precision)
    : m_on(precision == Precision::MixedBFloat16)
{
    if (!m_on) {
        return;
    }
    m_wasEnabled = at::autocast::is_cpu_enabled();
    m_previousType = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
    at::autocast::increment_nesting();
}

MixedPrecisionScope::~MixedPrecisionScope()
{
    if (!m_on) {
        return;
    }
    if (at::autocast::decrement_nesting() == 0) {
        at::autocast::clear_cache(); // the weights' bfloat16 copies of this step
    }
    at::autocast::set_cpu_enabled(m_wasEnabled);
    at::autocast::set_autocast_cpu_dtype(m_previousType);
}

QString describePrecision(Precision precision)
{
    return precision == Precision::MixedBFloat16
               ? QStringLiteral("mixed bfloat16 (convolutions and Dense layers in bfloat16; "
                                "weights, loss and updates in float32)")
               : QStringLiteral("float32");
}

} // namespace studio
