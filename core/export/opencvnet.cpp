#include "export/opencvnet_p.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <exception>

namespace studio {

namespace {

QString firstLine(const char* what)
{
    return QString::fromLocal8Bit(what).trimmed().section(QLatin1Char('\n'), 0, 0);
}

} // namespace

struct OpenCvNet::Impl
{
    cv::dnn::Net net;
};

OpenCvNet::OpenCvNet(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
OpenCvNet::OpenCvNet(OpenCvNet&& other) noexcept = default;
OpenCvNet& OpenCvNet::operator=(OpenCvNet&& other) noexcept = default;
OpenCvNet::~OpenCvNet() = default;

Result<OpenCvNet> OpenCvNet::fromOnnx(const QByteArray& onnx)
{
    auto impl = std::make_unique<Impl>();
    try {
        impl->net = cv::dnn::readNetFromONNX(onnx.constData(), size_t(onnx.size()));
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("OpenCV's DNN module cannot read the model: %1")
                           .arg(firstLine(e.what()))};
    }
    if (impl->net.empty()) {
        return Failure{QStringLiteral("OpenCV's DNN module read an empty network.")};
    }
    impl->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    impl->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return OpenCvNet(std::move(impl));
}

Result<std::vector<float>> OpenCvNet::forward(const float* images, int count, int channels,
                                              int size)
{
    try {
        const int dims[] = {count, channels, size, size};
        // Wraps the caller's pixels without copying; setInput() only reads them.
        const cv::Mat blob(4, dims, CV_32F, const_cast<float*>(images));
        m_impl->net.setInput(blob);
        const cv::Mat out = m_impl->net.forward();
        if (out.type() != CV_32F || !out.isContinuous() || out.empty() ||
            out.total() % size_t(count) != 0) {
            return Failure{QStringLiteral("OpenCV's DNN module returned an output of an "
                                          "unexpected shape for %1 images.")
                               .arg(count)};
        }
        const float* data = out.ptr<float>();
        return std::vector<float>(data, data + out.total());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("OpenCV's DNN module failed on a batch of %1 images: %2")
                           .arg(count)
                           .arg(firstLine(e.what()))};
    }
}

} // namespace studio
