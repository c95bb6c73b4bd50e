#include "export/int8kernels_p.h"

#include <ATen/Parallel.h>

#include <algorithm>

namespace studio {

namespace {

// round(value) + zero, clamped to 0..255: round half to even, as std::nearbyint in the default
// rounding mode, by adding and taking away 1.5 * 2^23 (exact for |value| < 2^22, and the clamp
// first keeps it there), which the compiler vectorises where a call to nearbyint is not.
uint8_t quantizedByte(float value, float zero)
{
    constexpr float kRounder = 12582912.0f;
    const float rounded = (std::clamp(value, -512.0f, 512.0f) + kRounder) - kRounder;
    return uint8_t(std::clamp(rounded + zero, 0.0f, 255.0f));
}

} // namespace

// The images (float32 NCHW) as quint8 with `scale` and `zeroPoint`, channels-last, in one pass:
// what torch::quantize_per_tensor gives (the same product with the float inverse of the scale,
// rounded half to even). Its
// element-by-element loop took 11% of the seed network's int8 time at batch 64, and five
// vectorised tensor operations 10 us of one image's 160. oneDNN's quantized convolution takes
// channels-last input without a reorder: 0.77 ms against 3.24 for the first convolution of an
// RGB batch of 64 at 64 px.
torch::Tensor quantizedInput(const float* images, int64_t count, int64_t channels, int64_t size,
                             double scale, int64_t zeroPoint)
{
    torch::Tensor out = at::_empty_affine_quantized(
        {count, channels, size, size}, torch::TensorOptions().dtype(torch::kQUInt8), scale,
        zeroPoint, torch::MemoryFormat::ChannelsLast);
    uint8_t* bytes = reinterpret_cast<uint8_t*>(out.data_ptr<c10::quint8>());
    const int64_t pixels = size * size;
    const float inverse = 1.0f / float(scale);
    const float zero = float(zeroPoint);
    at::parallel_for(0, count, std::max<int64_t>(1, 16384 / (pixels * channels)),
                     [&](int64_t begin, int64_t end) {
                         for (int64_t image = begin; image < end; ++image) {
                             const float* in = images + image * channels * pixels;
                             uint8_t* o = bytes + image * channels * pixels;
                             for (int64_t c = 0; c < channels; ++c) {
                                 for (int64_t p = 0; p < pixels; ++p) {
                                     o[p * channels + c] =
                                         quantizedByte(in[c * pixels + p] * inverse, zero);
                                 }
                             }
                         }
                     });
    return out;
}

// Max pooling without padding of a quint8 batch on its bytes, channels-last: the values of
// LibTorch's quantized max_pool2d (the largest quantized value is the quantized largest value),
// which took 28% of the seed network's int8 batch and 24 us of one image's 160.
torch::Tensor maxPooled(const torch::Tensor& x, const std::vector<int64_t>& kernel,
                        const std::vector<int64_t>& stride)
{
    const torch::Tensor in = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const int64_t n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
    const int64_t outH = (h - kernel[0]) / stride[0] + 1;
    const int64_t outW = (w - kernel[1]) / stride[1] + 1;
    torch::Tensor out =
        at::_empty_affine_quantized({n, c, outH, outW}, in.options(), in.q_scale(),
                                    in.q_zero_point(), torch::MemoryFormat::ChannelsLast);
    const uint8_t* src = reinterpret_cast<const uint8_t*>(in.data_ptr<c10::quint8>());
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.data_ptr<c10::quint8>());
    const int64_t rowWork = outW * c * kernel[0] * kernel[1];
    at::parallel_for(
        0, n * outH, std::max<int64_t>(1, 16384 / rowWork), [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const int64_t image = row / outH;
                const int64_t top = (row % outH) * stride[0];
                uint8_t* o = dst + row * outW * c;
                for (int64_t col = 0; col < outW; ++col, o += c) {
                    const uint8_t* corner = src + ((image * h + top) * w + col * stride[1]) * c;
                    std::copy(corner, corner + c, o);
                    for (int64_t ky = 0; ky < kernel[0]; ++ky) {
                        for (int64_t kx = 0; kx < kernel[1]; ++kx) {
                            const uint8_t* p = corner + (ky * w + kx) * c;
                            for (int64_t ch = 0; ch < c; ++ch) {
                                o[ch] = std::max(o[ch], p[ch]);
                            }
                        }
                    }
                }
            }
        });
    return out;
}

} // namespace studio
