// Private to core/dataset: the OpenCV steps shared by the 8-bit decoder and prepareImage().
#pragma once

#include "dataset/datasetsettings.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"
#include "dataset/rawimage.h"

#include <opencv2/core.hpp>

#include <vector>

namespace studio {

// The OpenCV depth of a sample type (CV_8U, CV_16U, CV_32F).
int matDepth(SampleType type);

// A header over the raw image's samples (no copy).
cv::Mat matOf(const RawImage& raw);

// Keras's 8-bit grey or RGB image: 16-bit scaled by 1/257, float by 255 when it lies in 0..1;
// alpha (and a grey image's second channel) dropped. False for more than four channels.
bool toEightBitGreyOrRgb(const RawImage& raw, cv::Mat* out);

// The image's channels the spec picks, as 32-bit float (exact for 8- and 16-bit samples).
// Without a channel list: grey or RGB as Keras converts (alpha dropped). The image has every
// picked channel (preparationProblem()).
cv::Mat pickChannels(const RawImage& raw, const InputSpec& spec);

// The square the resize mode makes: `image` itself (stretch, or already square), its centred
// square (crop), or the image centred on a square of `fill` (pad; one value per channel).
cv::Mat squareImage(const cv::Mat& image, ResizeMode mode, const std::vector<double>& fill);

// `in` resized to `size`: area resampling when it shrinks on both sides, else bilinear; any
// number of channels. An `out` of that size and type keeps its buffer.
void resizeImage(const cv::Mat& in, cv::Mat& out, cv::Size size);

// The image at size x size: area interpolation when shrinking, linear when enlarging. With
// keepSmaller, an image no larger than the square on both sides is returned as it is.
cv::Mat resizedToSquare(const cv::Mat& image, int size, bool keepSmaller);

// decodeImageBytes()'s 8-bit grey or RGB pixels of a decoded file, made square by `resize`
// (padding with `fill`, 0..255) before the resize. The format is left empty.
DecodeResult eightBitImageOf(const RawDecodeResult& decoded, const ImageShape& shape,
                             bool wantPixels, DecodeSize size, ResizeMode resize, double fill);

} // namespace studio
