// Helpers shared by the dataset tests: small images written with OpenCV into temporary folders,
// and which kernels this CPU runs.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace fixtures {

// A 16x16 grey image that differs for every n (no two are identical).
inline cv::Mat pattern(int n, int size = 16)
{
    cv::Mat image(size, size, CV_8UC1);
    for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
            image.at<uchar>(r, c) = uchar((r * 7 + c * 3 + n * 11 + (n / 23) * (r ^ c)) % 256);
        }
    }
    image.at<uchar>(0, 0) = uchar(n % 256);
    image.at<uchar>(0, 1) = uchar((n / 256) % 256);
    return image;
}

// True when this CPU has the AVX-512 subsets of the one-pass warp (core/dataset/warpkernels.cpp),
// told apart here without asking the code under test.
inline bool cpuRunsOnePassWarp()
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

inline void makeParent(const QString& path)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
}

// Writes `image` to `path`; the format follows the extension given in `asExtension` (or path's).
inline bool writeImage(const QString& path, const cv::Mat& image, const QString& asExtension = {})
{
    makeParent(path);
    const QString ext =
        asExtension.isEmpty() ? QStringLiteral(".") + QFileInfo(path).suffix() : asExtension;
    std::vector<uchar> bytes;
    if (!cv::imencode(ext.toLower().toStdString(), image, bytes)) {
        return false;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return false;
    }
    return file.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size())) ==
           qint64(bytes.size());
}

inline bool writePattern(const QString& path, int n)
{
    return writeImage(path, pattern(n), QStringLiteral(".png"));
}

inline bool writeBytes(const QString& path, const QByteArray& bytes)
{
    makeParent(path);
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A PNG of noise (it does not compress), cut in the middle of its pixel data.
inline QByteArray truncatedPng(int n)
{
    cv::Mat noise(64, 64, CV_8UC1);
    cv::randu(noise, n, 256);
    std::vector<uchar> bytes;
    cv::imencode(".png", noise, bytes);
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()) / 2);
}

} // namespace fixtures
