#include "dataset/augmenter.h"
#include "dataset/random_p.h"
#include "dataset/warpkernels_p.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace studio {

namespace {

constexpr double kPi = 3.14159265358979323846;

int borderMode(FillMode mode)
{
    switch (mode) {
    case FillMode::Nearest:
        return cv::BORDER_REPLICATE;
    case FillMode::Constant:
        return cv::BORDER_CONSTANT;
    case FillMode::Reflect:
        return cv::BORDER_REFLECT; // scipy's "reflect": d c b a | a b c d | d c b a
    case FillMode::Wrap:
        return cv::BORDER_WRAP;
    }
    return cv::BORDER_REPLICATE;
}

// 3x3 product a * b.
void multiply(const double a[3][3], const double b[3][3], double out[3][3])
{
    double r[3][3];
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        }
    }
    std::memcpy(out, r, sizeof r);
}

// Channel c's constant fill: `fill` holds one value per channel, or one for all.
double fillOf(const std::vector<double>& fill, size_t c)
{
    return fill[std::min(c, fill.size() - 1)];
}

// OpenCV's warpAffine with a constant fill per channel. cv::Scalar holds four values, so
// images of more channels with different fills are warped channel by channel.
void warpWithFill(const cv::Mat& in, cv::Mat& out, const cv::Matx23d& inverse, int border,
                  const std::vector<double>& fill)
{
    const int flags = cv::INTER_LINEAR | cv::WARP_INVERSE_MAP;
    const bool uniform =
        std::all_of(fill.begin(), fill.end(), [&](double v) { return v == fill.front(); });
    if (uniform || in.channels() <= 4) {
        cv::Scalar value;
        for (int c = 0; c < 4; ++c) {
            value[c] = fillOf(fill, size_t(c));
        }
        cv::warpAffine(in, out, inverse, out.size(), flags, border, value);
        return;
    }
    std::vector<cv::Mat> planes;
    cv::split(in, planes);
    for (size_t c = 0; c < planes.size(); ++c) {
        cv::Mat warped;
        cv::warpAffine(planes[c], warped, inverse, out.size(), flags, border,
                       cv::Scalar::all(fillOf(fill, c)));
        planes[c] = warped;
    }
    cv::merge(planes, out);
}

// Folds the flips that follow a warp into its map m (see Augmenter::sourceMap): a flipped
// output pixel takes the source of its mirror image.
void foldFlips(const AugmentParams& p, int size, double m[6])
{
    const double far = size - 1;
    if (p.flipHorizontal) { // x -> far - x
        m[2] += m[0] * far;
        m[0] = -m[0];
        m[5] += m[3] * far;
        m[3] = -m[3];
    }
    if (p.flipVertical) { // y -> far - y
        m[2] += m[1] * far;
        m[1] = -m[1];
        m[5] += m[4] * far;
        m[4] = -m[4];
    }
}

} // namespace

bool AugmentParams::isIdentity() const
{
    return theta == 0 && tx == 0 && ty == 0 && shear == 0 && zx == 1 && zy == 1 &&
           !flipHorizontal && !flipVertical && brightness == 1;
}

Augmenter::Augmenter(const AugmentationSettings& settings, const InputSpec& spec)
    : Augmenter(settings, spec.shape())
{
    if (spec.normalization != Normalization::Legacy) {
        m_fill = spec.samplesFor(settings.cval);
        m_brightnessOnSamples = false;
    }
}

Augmenter::Augmenter(const AugmentationSettings& settings, const ImageShape& shape)
    : m_settings(settings), m_shape(shape), m_fill{settings.cval}
{
    const AugmentationSettings& s = settings;
    m_identity = !s.enabled ||
                 (s.rotationRange == 0 && s.widthShiftRange == 0 && s.heightShiftRange == 0 &&
                  s.shearRange == 0 && s.zoomLow == 1 && s.zoomHigh == 1 && !s.horizontalFlip &&
                  !s.verticalFlip && s.brightnessLow == 1 && s.brightnessHigh == 1);
}

quint64 Augmenter::seedFor(quint64 seed, int epoch, int item)
{
    return mix64(mix64(seed ^ mix64(quint64(epoch) + 0x51ed27ULL)) ^ quint64(quint32(item)));
}

AugmentParams Augmenter::draw(quint64 seed) const
{
    AugmentParams p;
    if (m_identity) {
        return p;
    }
    const AugmentationSettings& s = m_settings;
    SplitMix random(seed);
    // Keras: a range below 1 is a fraction of the side, from 1 on it is pixels.
    const auto shift = [&](double range) {
        const double value = random.uniform(-range, range);
        return range < 1 ? value * m_shape.size : value;
    };
    if (s.rotationRange != 0) {
        p.theta = random.uniform(-s.rotationRange, s.rotationRange);
    }
    if (s.heightShiftRange != 0) {
        p.tx = shift(s.heightShiftRange);
    }
    if (s.widthShiftRange != 0) {
        p.ty = shift(s.widthShiftRange);
    }
    if (s.shearRange != 0) {
        p.shear = random.uniform(-s.shearRange, s.shearRange);
    }
    if (s.zoomLow != 1 || s.zoomHigh != 1) {
        p.zx = random.uniform(s.zoomLow, s.zoomHigh);
        p.zy = random.uniform(s.zoomLow, s.zoomHigh);
    }
    p.flipHorizontal = s.horizontalFlip && random.uniform(0, 1) < 0.5;
    p.flipVertical = s.verticalFlip && random.uniform(0, 1) < 0.5;
    if (s.brightnessLow != 1 || s.brightnessHigh != 1) {
        p.brightness = random.uniform(s.brightnessLow, s.brightnessHigh);
    }
    return p;
}

bool Augmenter::warps(const AugmentParams& p)
{
    return p.theta != 0 || p.tx != 0 || p.ty != 0 || p.shear != 0 || p.zx != 1 || p.zy != 1;
}

void Augmenter::sourceMap(const AugmentParams& p, int srcWidth, int srcHeight, double m[6]) const
{
    // Keras's apply_affine_transform: rotation * shift * shear * zoom, about the centre, in
    // (row, column) coordinates, mapping output pixels to input pixels.
    const int size = m_shape.size;
    const double theta = p.theta * kPi / 180.0;
    const double shear = p.shear * kPi / 180.0;
    const double rotation[3][3] = {
        {std::cos(theta), -std::sin(theta), 0}, {std::sin(theta), std::cos(theta), 0}, {0, 0, 1}};
    const double shift[3][3] = {{1, 0, p.tx}, {0, 1, p.ty}, {0, 0, 1}};
    const double shearing[3][3] = {{1, -std::sin(shear), 0}, {0, std::cos(shear), 0}, {0, 0, 1}};
    const double zoom[3][3] = {{p.zx, 0, 0}, {0, p.zy, 0}, {0, 0, 1}};
    const double centre = double(size) / 2 - 0.5;
    const double toCentre[3][3] = {{1, 0, centre}, {0, 1, centre}, {0, 0, 1}};
    const double fromCentre[3][3] = {{1, 0, -centre}, {0, 1, -centre}, {0, 0, 1}};
    // From output-sized coordinates to the source's, pixel centres aligned as cv::resize
    // aligns them.
    const double rows = double(srcHeight) / size;
    const double columns = double(srcWidth) / size;
    const double toSource[3][3] = {
        {rows, 0, 0.5 * rows - 0.5}, {0, columns, 0.5 * columns - 0.5}, {0, 0, 1}};
    double r[3][3];
    multiply(rotation, shift, r);
    multiply(r, shearing, r);
    multiply(r, zoom, r);
    multiply(toCentre, r, r);
    multiply(r, fromCentre, r);
    multiply(toSource, r, r);
    // OpenCV works in (x = column, y = row).
    const double inverse[6] = {r[1][1], r[1][0], r[1][2], r[0][1], r[0][0], r[0][2]};
    std::memcpy(m, inverse, sizeof inverse);
}

void Augmenter::apply(const uint8_t* src, int srcWidth, int srcHeight, uint8_t* dst,
                      const AugmentParams& p) const
{
    const int size = m_shape.size;
    const int depth = m_shape.sampleBytes == 2 ? CV_16U : CV_8U;
    const int type = CV_MAKETYPE(depth, m_shape.channels);
    const cv::Mat in(srcHeight, srcWidth, type, const_cast<uint8_t*>(src));
    cv::Mat out(size, size, type, dst);
    if (warps(p)) {
        double m[6];
        sourceMap(p, srcWidth, srcHeight, m);
        const cv::Matx23d inverse(m[0], m[1], m[2], m[3], m[4], m[5]);
        warpWithFill(in, out, inverse, borderMode(m_settings.fillMode), m_fill);
    } else if (srcWidth == size && srcHeight == size) {
        std::memcpy(dst, src, size_t(m_shape.bytes()));
    } else {
        resizeToShape(src, srcWidth, srcHeight, m_shape, dst);
    }
    if (p.flipHorizontal || p.flipVertical) {
        const int code = p.flipHorizontal && p.flipVertical ? -1 : (p.flipHorizontal ? 1 : 0);
        cv::flip(out, out, code);
    }
    if (p.brightness != 1 && m_brightnessOnSamples) {
        out.convertTo(out, depth, p.brightness);
    }
}

bool Augmenter::applyToNetworkValues(const uint8_t* src, int srcWidth, int srcHeight,
                                     const AugmentParams& p, const ChannelAffine& values,
                                     bool interleaved, float* out) const
{
    // Brightness on 8-bit samples clips them to 0..255 between the warp and the values.
    if (m_shape.sampleBytes != 1 || !warps(p) || (m_brightnessOnSamples && p.brightness != 1) ||
        int(values.scale.size()) != m_shape.channels ||
        int(values.offset.size()) != m_shape.channels) {
        return false;
    }
    WarpToValues job;
    job.source = src;
    job.width = srcWidth;
    job.height = srcHeight;
    job.channels = m_shape.channels;
    sourceMap(p, srcWidth, srcHeight, job.m);
    foldFlips(p, m_shape.size, job.m);
    job.size = m_shape.size;
    job.border = m_settings.fillMode;
    std::vector<double> fill(size_t(m_shape.channels));
    for (size_t c = 0; c < fill.size(); ++c) {
        fill[c] = fillOf(m_fill, c);
    }
    job.fill = fill.data();
    job.scale = values.scale.data();
    job.offset = values.offset.data();
    job.interleaved = interleaved;
    if (!canWarpToValues(job)) {
        return false;
    }
    warpToValues(job, out);
    return true;
}

} // namespace studio
