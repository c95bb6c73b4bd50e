#include "dataset/imageops_p.h"
#include "dataset/inputspec.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace studio {

namespace {

constexpr double kSixteenBitMaximum = 65535.0;

DecodeResult failed(SkipReason kind, const QString& reason)
{
    DecodeResult result;
    result.failure = {kind, reason};
    return result;
}

} // namespace

cv::Mat pickChannels(const RawImage& raw, const InputSpec& spec)
{
    cv::Mat all;
    matOf(raw).convertTo(all, CV_MAKETYPE(CV_32F, raw.channels));
    QVector<int> picked = spec.channelList;
    if (picked.isEmpty()) {
        const int colour = raw.channels - (raw.alpha ? 1 : 0);
        if (colour < 3) {
            picked = QVector<int>(spec.channels(), 0);
        } else if (spec.colorMode == ColorMode::Rgb) {
            picked = {0, 1, 2};
        } else {
            cv::Mat rgb;
            cv::Mat grey;
            const int from[] = {0, 0, 1, 1, 2, 2};
            rgb.create(all.size(), CV_32FC3);
            cv::mixChannels(&all, 1, &rgb, 1, from, 3);
            cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
            return grey;
        }
    }
    cv::Mat out(all.size(), CV_MAKETYPE(CV_32F, int(picked.size())));
    std::vector<int> fromTo;
    for (int k = 0; k < picked.size(); ++k) {
        fromTo.push_back(picked[k]);
        fromTo.push_back(k);
    }
    cv::mixChannels(&all, 1, &out, 1, fromTo.data(), picked.size());
    return out;
}

namespace {

// The q-th percentile (0..100) of one channel's values, interpolated as NumPy's default.
double percentile(std::vector<float>& values, double q)
{
    const double position = q / 100.0 * double(values.size() - 1);
    const size_t below = size_t(std::floor(position));
    std::nth_element(values.begin(), values.begin() + ptrdiff_t(below), values.end());
    const double low = values[below];
    if (below + 1 >= values.size()) {
        return low;
    }
    const double high = *std::min_element(values.begin() + ptrdiff_t(below) + 1, values.end());
    return low + (high - low) * (position - double(below));
}

// Each channel's values as 16-bit prepared samples: the values themselves (rescale), or
// [low, high] mapped to 0..65535 and clipped (the fixed range, or the image's percentiles).
cv::Mat toSamples(const cv::Mat& picked, const InputSpec& spec)
{
    if (spec.keepsSampleValues()) {
        cv::Mat out;
        picked.convertTo(out, CV_MAKETYPE(CV_16U, picked.channels()));
        return out;
    }
    std::vector<cv::Mat> planes;
    cv::split(picked, planes);
    for (size_t k = 0; k < planes.size(); ++k) {
        cv::Mat& plane = planes[k];
        double low = 0;
        double high = 1;
        if (spec.normalization == Normalization::Percentile) {
            std::vector<float> values(plane.begin<float>(), plane.end<float>());
            low = percentile(values, spec.percentileLow);
            high = percentile(values, spec.percentileHigh);
        } else {
            std::tie(low, high) = spec.rangeOf(int(k));
        }
        const double scale = high > low ? kSixteenBitMaximum / (high - low) : 0.0;
        plane.convertTo(plane, CV_16U, scale, -low * scale); // rounds and clips to 0..65535
    }
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

} // namespace

DecodeResult prepareImage(const RawDecodeResult& decoded, const InputSpec& spec, DecodeSize size)
{
    if (!decoded.ok) {
        return failed(decoded.failure.kind, decoded.failure.reason);
    }
    if (spec.normalization == Normalization::Legacy && spec.channelList.isEmpty()) {
        return eightBitImageOf(decoded, spec.shape(), true, size, spec.resize,
                               spec.sampleFor(spec.padValue, 0));
    }
    DecodeResult result;
    result.image.sourceWidth = decoded.image.width;
    result.image.sourceHeight = decoded.image.height;
    result.image.pixelHash = decoded.pixelHash;
    try {
        if (const DecodeFailure problem = preparationProblem(decoded.image, spec);
            !problem.reason.isEmpty()) {
            return failed(problem.kind, problem.reason);
        }
        const cv::Mat picked = pickChannels(decoded.image, spec);
        cv::Mat samples;
        if (spec.normalization == Normalization::Legacy) { // channels picked, then 8 bit
            double factor = decoded.image.type == SampleType::UInt16 ? 1.0 / 257.0 : 1.0;
            if (decoded.image.type == SampleType::Float32) {
                double lowest = 0;
                double highest = 0;
                cv::minMaxLoc(matOf(decoded.image).reshape(1), &lowest, &highest);
                factor = highest <= 1.0 ? 255.0 : 1.0;
            }
            picked.convertTo(samples, CV_MAKETYPE(CV_8U, picked.channels()), factor);
        } else {
            samples = toSamples(picked, spec);
        }
        const cv::Mat square = squareImage(samples, spec.resize, spec.samplesFor(spec.padValue));
        const cv::Mat resized =
            resizedToSquare(square, spec.imageSize, size == DecodeSize::KeepSmaller);
        result.image.width = resized.cols;
        result.image.height = resized.rows;
        result.image.pixels.resize(resized.total() * resized.elemSize());
        cv::Mat out(resized.rows, resized.cols, resized.type(), result.image.pixels.data());
        resized.copyTo(out);
    } catch (const cv::Exception& e) {
        return failed(
            SkipReason::NotAnImage,
            QStringLiteral("could not prepare the pixels (%1)").arg(QString::fromStdString(e.msg)));
    }
    result.ok = true;
    return result;
}

DecodeResult decodeImageFile(const QString& path, const InputSpec& spec, DecodeSize size)
{
    return prepareImage(decodeRawImageFile(path), spec, size);
}

} // namespace studio
