#include "model/poolingkernels_p.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace studio {

namespace {

// A window's place whose maximum is not above zero: the ReLU lets no gradient through.
constexpr int kBlocked = 255;

// The lanes of a 16-float block of which `left` elements remain.
__attribute__((target("avx512f"))) inline __mmask16 lanes(int64_t left)
{
    return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u);
}

// Pools the C channels of one window as torch does (the first maximum in row order wins a
// tie, a NaN wins), applies the ReLU, and writes each channel's maximum's place (0..3), or
// kBlocked where the output is not above zero (threshold_backward passes the gradient unless
// the output is <= 0, so a NaN passes). a, b, c, d are the window's four pixels.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void poolWindow(const float* a, const float* b,
                                                                     const float* c, const float* d,
                                                                     int64_t channels, float* out,
                                                                     uint8_t* place)
{
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t c0 = 0; c0 < channels; c0 += 16) {
        const __mmask16 m = lanes(channels - c0);
        __m512 best = _mm512_maskz_loadu_ps(m, a + c0);
        __m512i where = _mm512_setzero_si512();
        const float* others[3] = {b, c, d};
        for (int k = 0; k < 3; ++k) {
            const __m512 v = _mm512_maskz_loadu_ps(m, others[k] + c0);
            const __mmask16 wins =
                _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            best = _mm512_mask_mov_ps(best, wins, v);
            where = _mm512_mask_mov_epi32(where, wins, _mm512_set1_epi32(k + 1));
        }
        const __mmask16 passes = _mm512_cmp_ps_mask(best, zero, _CMP_GT_OQ) |
                                 _mm512_cmp_ps_mask(best, best, _CMP_UNORD_Q);
        _mm512_mask_storeu_ps(out + c0, m, _mm512_maskz_mov_ps(passes, best));
        where = _mm512_mask_mov_epi32(_mm512_set1_epi32(kBlocked), passes, where);
        _mm512_mask_cvtepi32_storeu_epi8(place + c0, m, where);
    }
}

// One window's gradient back: each channel's gradient to its maximum's place, zeros to the
// other three (and to all four where the ReLU blocked it). a, b, c, d are the window's four
// pixels; a and b end their row at `endAB`, c and d at `endCD`. A pixel's last block is
// stored whole, spilling into the pixels after it, unless that would pass the row's end: the
// caller writes each row from left to right, so that a later store overwrites the spill.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void
spreadWindow(const float* up, const uint8_t* place, int64_t channels, float* const (&pixels)[4],
             const float* endAB, const float* endCD)
{
    for (int k = 0; k < 4; ++k) { // each pixel whole: b after a, d after c
        const float* end = k < 2 ? endAB : endCD;
        for (int64_t c0 = 0; c0 < channels; c0 += 16) {
            const __mmask16 m = lanes(channels - c0);
            const __m512 g = _mm512_maskz_loadu_ps(m, up + c0);
            const __m512i where =
                _mm512_maskz_cvtepu8_epi32(m, _mm_maskz_loadu_epi8(m, place + c0));
            const __mmask16 mine = _mm512_cmpeq_epi32_mask(where, _mm512_set1_epi32(k));
            const __m512 value = _mm512_maskz_mov_ps(mine, g);
            float* target = pixels[k] + c0;
            if (target + 16 <= end) {
                _mm512_storeu_ps(target, value);
            } else {
                _mm512_mask_storeu_ps(target, m, value);
            }
        }
    }
}

// Runs `row(n, oh)` for every output row, over the threads.
template <typename Row> void forEachRow(int64_t batch, int64_t rows, const Row& row)
{
    at::parallel_for(0, batch * rows, 1, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            row(r / rows, r % rows);
        }
    });
}

// A channels-last [N, C, H, W] tensor's sizes; pixel (n, h, w) starts at ((n * H + h) * W + w) * C.
struct Pixels
{
    int64_t n, c, h, w;

    explicit Pixels(c10::IntArrayRef sizes) : n(sizes[0]), c(sizes[1]), h(sizes[2]), w(sizes[3]) {}
    int64_t at(int64_t in, int64_t ih, int64_t iw) const { return ((in * h + ih) * w + iw) * c; }
};

void poolForward(const torch::Tensor& x, torch::Tensor& out, torch::Tensor& places)
{
    const Pixels in(x.sizes());
    const Pixels o(out.sizes());
    const float* src = x.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    uint8_t* where = places.data_ptr<uint8_t>();
    forEachRow(o.n, o.h, [&](int64_t n, int64_t oh) {
        for (int64_t ow = 0; ow < o.w; ++ow) {
            const float* a = src + in.at(n, 2 * oh, 2 * ow);
            const float* c = src + in.at(n, 2 * oh + 1, 2 * ow);
            poolWindow(a, a + in.c, c, c + in.c, in.c, dst + o.at(n, oh, ow),
                       where + o.at(n, oh, ow));
        }
    });
}

// The gradient reaching x; the last row or column of an odd side, which no window reaches,
// gets zeros.
void poolBackward(const torch::Tensor& gradOut, const torch::Tensor& places, torch::Tensor& gradIn)
{
    const Pixels g(gradOut.sizes());
    const Pixels in(gradIn.sizes());
    const float* up = gradOut.data_ptr<float>();
    const uint8_t* where = places.data_ptr<uint8_t>();
    float* down = gradIn.data_ptr<float>();
    forEachRow(g.n, g.h, [&](int64_t n, int64_t oh) {
        const float* endAB = down + in.at(n, 2 * oh + 1, 0);
        const float* endCD = endAB + in.w * in.c;
        for (int64_t ow = 0; ow < g.w; ++ow) {
            float* a = down + in.at(n, 2 * oh, 2 * ow);
            float* c = down + in.at(n, 2 * oh + 1, 2 * ow);
            float* const pixels[4] = {a, a + in.c, c, c + in.c};
            spreadWindow(up + g.at(n, oh, ow), where + g.at(n, oh, ow), in.c, pixels, endAB, endCD);
        }
        if (in.w % 2 == 1) {
            std::fill_n(down + in.at(n, 2 * oh, in.w - 1), in.c, 0.0f);
            std::fill_n(down + in.at(n, 2 * oh + 1, in.w - 1), in.c, 0.0f);
        }
    });
    if (in.h % 2 == 1) {
        for (int64_t n = 0; n < in.n; ++n) {
            std::fill_n(down + in.at(n, in.h - 1, 0), in.w * in.c, 0.0f);
        }
    }
}

torch::Tensor channelsLastEmpty(c10::IntArrayRef sizes, const torch::TensorOptions& options)
{
    return torch::empty(sizes, options.memory_format(torch::MemoryFormat::ChannelsLast));
}

// The autograd node of reluMaxPooled().
class ReluMaxPool : public torch::autograd::Function<ReluMaxPool>
{
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x)
    {
        const std::vector<int64_t> sizes = {x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2};
        torch::Tensor out = channelsLastEmpty(sizes, x.options());
        torch::Tensor places = channelsLastEmpty(sizes, x.options().dtype(torch::kUInt8));
        poolForward(x, out, places);
        ctx->save_for_backward({places});
        ctx->saved_data["sizes"] = x.sizes();
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const torch::Tensor places = ctx->get_saved_variables()[0];
        torch::Tensor gradIn =
            channelsLastEmpty(ctx->saved_data["sizes"].toIntVector(), grads[0].options());
        poolBackward(grads[0].contiguous(torch::MemoryFormat::ChannelsLast), places, gradIn);
        return {gradIn};
    }
};

} // namespace

bool canReluMaxPool(const torch::Tensor& x, const std::vector<int64_t>& kernel,
                    const std::vector<int64_t>& stride)
{
    static const bool instructions = __builtin_cpu_supports("avx512f") &&
                                     __builtin_cpu_supports("avx512bw") &&
                                     __builtin_cpu_supports("avx512vl");
    return instructions && x.dim() == 4 && x.scalar_type() == torch::kFloat32 &&
           x.device().is_cpu() && x.size(1) > 1 &&
           x.is_contiguous(torch::MemoryFormat::ChannelsLast) &&
           kernel == std::vector<int64_t>{2, 2} && stride == std::vector<int64_t>{2, 2} &&
           x.size(2) >= 2 && x.size(3) >= 2;
}

torch::Tensor reluMaxPooled(const torch::Tensor& x)
{
    return ReluMaxPool::apply(x);
}

} // namespace studio
