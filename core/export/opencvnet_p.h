// Private to core/export: a classifier network run by OpenCV's DNN module from ONNX bytes, the
// Predictor's second engine. Torch-free; the OpenCV headers stay in opencvnet.cpp.
#pragma once

#include "common/result.h"

#include <QByteArray>

#include <memory>
#include <vector>

namespace studio {

// One network loaded by cv::dnn on OpenCV's CPU backend. Not thread-safe (cv::dnn::Net is not):
// one per Predictor.
class OpenCvNet
{
public:
    // Reads the ONNX model from memory; an unsupported layer or a bad buffer is a Failure
    // with OpenCV's reason.
    static Result<OpenCvNet> fromOnnx(const QByteArray& onnx);

    OpenCvNet(OpenCvNet&& other) noexcept;
    OpenCvNet& operator=(OpenCvNet&& other) noexcept;
    ~OpenCvNet();

    // The network's output (count x outputs, row-major) for `count` float32 NCHW images of
    // channels x size x size, read in place. An OpenCV error is a Failure.
    Result<std::vector<float>> forward(const float* images, int count, int channels, int size);

private:
    struct Impl;
    explicit OpenCvNet(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace studio
