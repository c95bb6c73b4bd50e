#include "common/atomicfile.h"
#include "explain/saliency.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace studio {

namespace {

// The smallest whole enlargement that makes `side` at least 256 px.
int enlargement(int side)
{
    return std::max(1, (256 + side - 1) / std::max(1, side));
}

} // namespace

QByteArray saliencyOverlayPng(const SaliencyMap& map)
{
    const int side = map.imageSize;
    if (!map.ok() || side <= 0 || map.display.size() != size_t(side) * size_t(side) * 3 ||
        map.map.values.empty()) {
        return {};
    }
    const int shown = side * enlargement(side);
    cv::Mat rgb(side, side, CV_8UC3, const_cast<uint8_t*>(map.display.data()));
    cv::Mat image;
    cv::cvtColor(rgb, image, cv::COLOR_RGB2BGR);
    cv::resize(image, image, cv::Size(shown, shown), 0, 0, cv::INTER_NEAREST);

    cv::Mat raw(map.map.rows, map.map.columns, CV_32F, const_cast<float*>(map.map.values.data()));
    cv::Mat positive = cv::max(raw, 0.0);
    double high = 0;
    cv::minMaxLoc(positive, nullptr, &high);
    cv::Mat scaled;
    positive.convertTo(scaled, CV_32F, high > 0 ? 1.0 / high : 0.0);
    cv::resize(scaled, scaled, cv::Size(shown, shown), 0, 0, cv::INTER_LINEAR);
    cv::Mat bytes;
    scaled.convertTo(bytes, CV_8U, 255.0);
    cv::Mat colours;
    cv::applyColorMap(bytes, colours, cv::COLORMAP_JET);
    cv::Mat blended;
    cv::addWeighted(image, 0.5, colours, 0.5, 0.0, blended);
    std::vector<uchar> png;
    if (!cv::imencode(".png", blended, png)) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char*>(png.data()), int(png.size()));
}

Status writeSaliencyOverlay(const QString& path, const SaliencyMap& map)
{
    const QByteArray png = saliencyOverlayPng(map);
    if (png.isEmpty()) {
        return Failure{
            QStringLiteral("Cannot write %1: there is no map to draw%2.")
                .arg(path, map.ok() ? QString() : QStringLiteral(" (%1)").arg(map.error))};
    }
    return writeFileAtomically(path, png);
}

} // namespace studio
