// Keras ImageDataGenerator augmentation: one composed affine warp per image, flips, brightness.
#pragma once

#include "dataset/datasetsettings.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"

#include <QtGlobal>

#include <vector>

#include <cstdint>

namespace studio {

// The transform of one image, in Keras's terms (get_random_transform).
struct AugmentParams
{
    double theta = 0; // degrees; +90 turns the image's top-left corner to the top-right
    double tx = 0;    // pixels, along the rows (height_shift): output(r) = input(r + tx)
    double ty = 0;    // pixels, along the columns (width_shift): output(c) = input(c + ty)
    double shear = 0; // degrees
    double zx = 1;    // zoom of the row axis; > 1 shows more of the image (Keras's meaning)
    double zy = 1;    // zoom of the column axis
    bool flipHorizontal = false;
    bool flipVertical = false;
    double brightness = 1; // values are multiplied by this (8-bit pixels clipped to 0..255)

    bool isIdentity() const;
};

// Draws and applies augmentations to images of one shape (HWC, interleaved, uint8 or uint16). Draws
// are seeded per image, so results do not depend on thread scheduling. Const methods are
// thread-safe and are called from the batch producer's worker threads.
class Augmenter
{
public:
    // 8-bit pixels (Legacy): cval is a pixel value, brightness scales the pixels.
    Augmenter(const AugmentationSettings& settings, const ImageShape& shape);
    // The spec's samples. With a normalisation, cval is in network units, and brightness is
    // left to the caller (brightnessOnSamples() false): it acts on the normalised values.
    Augmenter(const AugmentationSettings& settings, const InputSpec& spec);
    bool brightnessOnSamples() const { return m_brightnessOnSamples; }

    // True when the settings can change no pixel.
    bool isIdentity() const { return m_identity; }

    // The per-image seed: depends on the run's seed, the epoch and the image only.
    static quint64 seedFor(quint64 seed, int epoch, int item);

    // Keras's random draws, from a generator seeded with `seed`.
    AugmentParams draw(quint64 seed) const;

    // dst receives shape().bytes() bytes; it must not overlap src (shape()-sized).
    void apply(const uint8_t* src, uint8_t* dst, const AugmentParams& params) const
    {
        apply(src, m_shape.size, m_shape.size, dst, params);
    }
    // The same from a source of another size (a cached image kept smaller): the resize to
    // shape() is folded into the warp, so the image is interpolated once.
    void apply(const uint8_t* src, int srcWidth, int srcHeight, uint8_t* dst,
               const AugmentParams& params) const;
    void augment(const uint8_t* src, uint8_t* dst, quint64 seed) const
    {
        apply(src, dst, draw(seed));
    }
    void augment(const uint8_t* src, int srcWidth, int srcHeight, uint8_t* dst, quint64 seed) const
    {
        apply(src, srcWidth, srcHeight, dst, draw(seed));
    }

    // apply()'s image as network values (`values`, laid out HWC when `interleaved`, else CHW)
    // in one pass, where the CPU and the image allow (8-bit, 1 or 3 channels, a warp, AVX-512;
    // see warpkernels_p.h): its samples are not rounded to whole ones on the way, so they differ
    // from apply()'s by a level or two at most. Returns false, having written nothing, where not.
    bool applyToNetworkValues(const uint8_t* src, int srcWidth, int srcHeight,
                              const AugmentParams& params, const ChannelAffine& values,
                              bool interleaved, float* out) const;
    const ImageShape& shape() const { return m_shape; }

private:
    // True when `p` rotates, shifts, shears or zooms: the image is resampled.
    static bool warps(const AugmentParams& p);
    // OpenCV's inverse map of the warp of `p` from a source of this size: output (x, y) takes
    // the source at (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
    void sourceMap(const AugmentParams& p, int srcWidth, int srcHeight, double m[6]) const;

    AugmentationSettings m_settings;
    ImageShape m_shape;
    std::vector<double> m_fill; // constant fill, in samples: one per channel, or one for all
    bool m_brightnessOnSamples = true;
    bool m_identity = true;
};

} // namespace studio
