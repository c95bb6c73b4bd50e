#include "dataset/warpkernels_p.h"

// GCC 12's AVX-512 intrinsics start many results from _mm512_undefined_*(), which it then
// reports as maybe uninitialised (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace studio {

namespace {

// The lanes of a 16-element block of which `left` remain.
__attribute__((target("avx512f"))) inline __mmask16 lanes(int left)
{
    return left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1u);
}

// Taps `i` along an axis of n pixels, moved into it as the border mode moves them (Reflect
// and Wrap once: canWarpToValues() keeps them within one image); `inside` marks the taps that
// were in it already (Constant fills the others).
__attribute__((target("avx512f"))) inline __m512i borderIndex(__m512i i, int n, FillMode border,
                                                              __mmask16* inside)
{
    const __m512i zero = _mm512_setzero_si512();
    const __m512i count = _mm512_set1_epi32(n);
    const __mmask16 below = _mm512_cmplt_epi32_mask(i, zero);
    const __mmask16 above = _mm512_cmpge_epi32_mask(i, count);
    *inside = __mmask16(~(below | above));
    switch (border) {
    case FillMode::Reflect: // d c b a | a b c d | d c b a
        i = _mm512_mask_sub_epi32(i, below, _mm512_set1_epi32(-1), i);
        return _mm512_mask_sub_epi32(i, above, _mm512_set1_epi32(2 * n - 1), i);
    case FillMode::Wrap: // a b c d | a b c d | a b c d
        i = _mm512_mask_add_epi32(i, below, i, count);
        return _mm512_mask_sub_epi32(i, above, i, count);
    case FillMode::Nearest:
    case FillMode::Constant:
        break;
    }
    return _mm512_min_epi32(_mm512_max_epi32(i, zero), _mm512_set1_epi32(n - 1));
}

// The 4 source bytes from byte offset `at` of each lane, the first in the low byte. Offsets
// past `last` (the last 4 bytes' start) read the last 4 bytes and shift, so no read leaves the
// image; lanes beyond the row's end may hold any offset.
__attribute__((target("avx512f"))) inline __m512i gatherPixels(const uint8_t* source, __m512i at,
                                                               __m512i last)
{
    const __m512i read = _mm512_max_epi32(_mm512_min_epi32(at, last), _mm512_setzero_si512());
    const __m512i shift = _mm512_slli_epi32(_mm512_sub_epi32(at, read), 3);
    return _mm512_srlv_epi32(_mm512_i32gather_epi32(read, source, 1), shift);
}

// Channel `channel`'s samples of four gathered pixels as floats; with Constant, the fill where
// the tap lies outside the image.
__attribute__((target("avx512f"))) inline __m512
channelOf(__m512i pixels, int channel, __mmask16 inside, bool constant, __m512 fill)
{
    const __m512i byte =
        _mm512_and_si512(_mm512_srli_epi32(pixels, unsigned(8 * channel)), _mm512_set1_epi32(0xFF));
    const __m512 sample = _mm512_cvtepi32_ps(byte);
    return constant ? _mm512_mask_blend_ps(inside, fill, sample) : sample;
}

// Stores 16 pixels' three channels interleaved (r g b r g b ...): 3 * count floats.
__attribute__((target("avx512f"))) inline void storeInterleaved(const __m512 v[3], int count,
                                                                float* out)
{
    // Two permutations a block: red and green into place, then blue.
    const __m512i rg0 = _mm512_setr_epi32(0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5);
    const __m512i b0 = _mm512_setr_epi32(0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15);
    const __m512i rg1 = _mm512_setr_epi32(21, 0, 6, 22, 0, 7, 23, 0, 8, 24, 0, 9, 25, 0, 10, 26);
    const __m512i b1 = _mm512_setr_epi32(0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15);
    const __m512i rg2 = _mm512_setr_epi32(0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31, 0);
    const __m512i b2 = _mm512_setr_epi32(26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31);
    const __m512 o0 = _mm512_permutex2var_ps(_mm512_permutex2var_ps(v[0], rg0, v[1]), b0, v[2]);
    const __m512 o1 = _mm512_permutex2var_ps(_mm512_permutex2var_ps(v[0], rg1, v[1]), b1, v[2]);
    const __m512 o2 = _mm512_permutex2var_ps(_mm512_permutex2var_ps(v[0], rg2, v[1]), b2, v[2]);
    const int floats = 3 * count;
    _mm512_mask_storeu_ps(out, lanes(floats), o0);
    _mm512_mask_storeu_ps(out + 16, lanes(floats - 16), o1);
    _mm512_mask_storeu_ps(out + 32, lanes(floats - 32), o2);
}

__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) void
warpAvx512(const WarpToValues& job, float* out)
{
    const int size = job.size;
    const int channels = job.channels;
    const bool constant = job.border == FillMode::Constant;
    const size_t plane = size_t(size) * size_t(size);
    const __m512 lane = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 stepX = _mm512_set1_ps(float(job.m[0]));
    const __m512 stepY = _mm512_set1_ps(float(job.m[3]));
    const __m512i last = _mm512_set1_epi32(job.width * job.height * channels - 4);
    const __m512i rowBytes = _mm512_set1_epi32(job.width * channels);
    const __m512i pixelBytes = _mm512_set1_epi32(channels);
    const __m512i one = _mm512_set1_epi32(1);
    __m512 scale[3];
    __m512 offset[3];
    __m512 fill[3];
    for (int c = 0; c < channels; ++c) {
        scale[c] = _mm512_set1_ps(job.scale[c]);
        offset[c] = _mm512_set1_ps(job.offset[c]);
        fill[c] = _mm512_set1_ps(constant ? float(job.fill[c]) : 0.0f);
    }
    for (int y = 0; y < size; ++y) {
        const __m512 rowX = _mm512_set1_ps(float(job.m[1] * y + job.m[2]));
        const __m512 rowY = _mm512_set1_ps(float(job.m[4] * y + job.m[5]));
        for (int x = 0; x < size; x += 16) {
            const __m512 column = _mm512_add_ps(lane, _mm512_set1_ps(float(x)));
            const __m512 sx = _mm512_fmadd_ps(stepX, column, rowX);
            const __m512 sy = _mm512_fmadd_ps(stepY, column, rowY);
            const __m512 floorX =
                _mm512_roundscale_ps(sx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
            const __m512 floorY =
                _mm512_roundscale_ps(sy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
            const __m512 wx = _mm512_sub_ps(sx, floorX);
            const __m512 wy = _mm512_sub_ps(sy, floorY);
            const __m512i ix = _mm512_cvttps_epi32(floorX);
            const __m512i iy = _mm512_cvttps_epi32(floorY);
            __mmask16 inX0, inX1, inY0, inY1;
            const __m512i x0 =
                _mm512_mullo_epi32(borderIndex(ix, job.width, job.border, &inX0), pixelBytes);
            const __m512i x1 = _mm512_mullo_epi32(
                borderIndex(_mm512_add_epi32(ix, one), job.width, job.border, &inX1), pixelBytes);
            const __m512i y0 =
                _mm512_mullo_epi32(borderIndex(iy, job.height, job.border, &inY0), rowBytes);
            const __m512i y1 = _mm512_mullo_epi32(
                borderIndex(_mm512_add_epi32(iy, one), job.height, job.border, &inY1), rowBytes);
            const __m512i p00 = gatherPixels(job.source, _mm512_add_epi32(y0, x0), last);
            const __m512i p01 = gatherPixels(job.source, _mm512_add_epi32(y0, x1), last);
            const __m512i p10 = gatherPixels(job.source, _mm512_add_epi32(y1, x0), last);
            const __m512i p11 = gatherPixels(job.source, _mm512_add_epi32(y1, x1), last);
            __m512 v[3];
            for (int c = 0; c < channels; ++c) {
                const __m512 v00 = channelOf(p00, c, inX0 & inY0, constant, fill[c]);
                const __m512 v01 = channelOf(p01, c, inX1 & inY0, constant, fill[c]);
                const __m512 v10 = channelOf(p10, c, inX0 & inY1, constant, fill[c]);
                const __m512 v11 = channelOf(p11, c, inX1 & inY1, constant, fill[c]);
                const __m512 top = _mm512_fmadd_ps(wx, _mm512_sub_ps(v01, v00), v00);
                const __m512 bottom = _mm512_fmadd_ps(wx, _mm512_sub_ps(v11, v10), v10);
                const __m512 sample = _mm512_fmadd_ps(wy, _mm512_sub_ps(bottom, top), top);
                v[c] = _mm512_fmadd_ps(sample, scale[c], offset[c]);
            }
            const int count = std::min(16, size - x);
            const size_t pixel = size_t(y) * size_t(size) + size_t(x);
            if (job.interleaved && channels == 3) {
                storeInterleaved(v, count, out + pixel * 3);
            } else {
                for (int c = 0; c < channels; ++c) {
                    _mm512_mask_storeu_ps(out + size_t(c) * plane + pixel, lanes(count), v[c]);
                }
            }
        }
    }
}

} // namespace

bool canWarpToValues(const WarpToValues& job)
{
    static const bool instructions =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    const double bytes = double(job.width) * job.height * job.channels;
    if (!instructions || job.source == nullptr || (job.channels != 1 && job.channels != 3) ||
        job.width < 1 || job.height < 1 || bytes < 4 || bytes > double(1 << 30) || job.size < 1 ||
        job.size > (1 << 16) || job.scale == nullptr || job.offset == nullptr ||
        (job.border == FillMode::Constant && job.fill == nullptr)) {
        return false;
    }
    // An affine map takes its extremes at the output's corners.
    double low[2] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max()};
    double high[2] = {std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
    const double far = job.size - 1;
    for (const double x : {0.0, far}) {
        for (const double y : {0.0, far}) {
            const double at[2] = {job.m[0] * x + job.m[1] * y + job.m[2],
                                  job.m[3] * x + job.m[4] * y + job.m[5]};
            for (int axis = 0; axis < 2; ++axis) {
                low[axis] = std::min(low[axis], at[axis]);
                high[axis] = std::max(high[axis], at[axis]);
            }
        }
    }
    const int extent[2] = {job.width, job.height};
    for (int axis = 0; axis < 2; ++axis) {
        // Within float's whole numbers (this also turns NaN away).
        if (!(std::abs(low[axis]) < double(1 << 22) && std::abs(high[axis]) < double(1 << 22))) {
            return false;
        }
        // One reflection or wrap brings taps in [-n, 2n - 1] into the image; a pixel to spare
        // for the float arithmetic.
        const bool once = job.border == FillMode::Reflect || job.border == FillMode::Wrap;
        if (once && (std::floor(low[axis]) - 1 < -extent[axis] ||
                     std::floor(high[axis]) + 2 > 2 * extent[axis] - 1)) {
            return false;
        }
    }
    return true;
}

void warpToValues(const WarpToValues& job, float* out)
{
    warpAvx512(job, out);
}

} // namespace studio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
