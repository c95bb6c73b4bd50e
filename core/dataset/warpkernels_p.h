// One pass from an 8-bit image to a network's values: bilinear affine resampling, then each
// channel's scale and offset, in AVX-512 (where OpenCV's warp, a flip and a conversion take
// three passes and a rounding to 8 bits in between).
#pragma once

#include "dataset/datasetsettings.h"

#include <cstdint>

namespace studio {

// An image to resample. Output pixel (x, y) samples the source at
// (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]) (OpenCV's inverse map: pixel centres on
// whole coordinates), bilinearly; taps outside the source follow `border` as OpenCV's
// BORDER_REPLICATE, BORDER_CONSTANT, BORDER_REFLECT and BORDER_WRAP do. A channel's value is
// sample * scale[c] + offset[c], the sample unrounded.
struct WarpToValues
{
    const uint8_t* source = nullptr; // HWC
    int width = 0;
    int height = 0;
    int channels = 0;
    double m[6] = {};
    int size = 0; // the output is size x size
    FillMode border = FillMode::Nearest;
    const double* fill = nullptr; // Constant: each channel's sample value outside the source
    const float* scale = nullptr; // per channel
    const float* offset = nullptr;
    bool interleaved = false; // values laid out HWC; else CHW
};

// True when warpToValues() can take the job: the CPU has AVX-512 (F, BW, DQ, VL), the image
// has 1 or 3 channels and 4 bytes at least, and with Reflect or Wrap no tap lies more than one
// image away (further reflections are left to OpenCV).
bool canWarpToValues(const WarpToValues& job);

// Writes size * size * channels values. Only after canWarpToValues(job).
void warpToValues(const WarpToValues& job, float* out);

} // namespace studio
