#include "dataset/imagedecoder.h"

#include "dataset/imageops_p.h"
#include "dataset/random_p.h"
#include "dataset/tiffreader.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace studio {

namespace {

// Broken files are reported by us, with their path; OpenCV's own stderr lines would only confuse.
void silenceOpenCvOnce()
{
    static std::once_flag once;
    std::call_once(once,
                   [] { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT); });
}

// A 64-bit hash of the samples and the image's shape and type.
quint64 hashPixels(const RawImage& image)
{
    quint64 h = mix64(quint64(image.height) * 0x9E3779B97F4A7C15ULL ^ quint64(image.width) << 20 ^
                      quint64(image.channels) << 8 ^ quint64(image.type));
    const uint8_t* p = image.data.data();
    size_t n = image.data.size();
    while (n >= 8) {
        quint64 word;
        std::memcpy(&word, p, 8);
        h = (h ^ word) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    quint64 tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail ^ (quint64(n) << 56)) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 32;
    return mix64(h);
}

// The image format the first bytes announce, or an empty string.
QString sniffFormat(const QByteArray& bytes)
{
    const auto starts = [&](const char* magic, int n) {
        return bytes.size() >= n && std::memcmp(bytes.constData(), magic, size_t(n)) == 0;
    };
    if (starts("\x89PNG\r\n\x1a\n", 8)) {
        return QStringLiteral("PNG");
    }
    if (starts("\xff\xd8\xff", 3)) {
        return QStringLiteral("JPEG");
    }
    if (starts("BM", 2) && bytes.size() >= 14) {
        return QStringLiteral("BMP");
    }
    if (starts("II*\0", 4) || starts("MM\0*", 4)) {
        return QStringLiteral("TIFF");
    }
    if (starts("RIFF", 4) && bytes.size() >= 12 &&
        std::memcmp(bytes.constData() + 8, "WEBP", 4) == 0) {
        return QStringLiteral("WebP");
    }
    if (bytes.size() >= 3 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6' &&
        QByteArray(" \t\r\n#").contains(bytes[2])) {
        return QStringLiteral("PNM");
    }
    return {};
}

// libjpeg fills a cut-off JPEG with grey and decodes it; its end-of-image marker tells.
bool jpegHasEnd(const QByteArray& bytes)
{
    int end = bytes.size();
    while (end > 2 &&
           (bytes[end - 1] == '\0' || bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
        --end;
    }
    const int from = std::max(2, end - 4096);
    for (int i = end - 2; i >= from; --i) {
        if (uchar(bytes[i]) == 0xff && uchar(bytes[i + 1]) == 0xd9) {
            return true;
        }
    }
    return false;
}

// False when a PNG chunk is cut off. libpng would find that out too, but prints to stderr.
bool pngChunksComplete(const QByteArray& bytes)
{
    const auto* data = reinterpret_cast<const uchar*>(bytes.constData());
    qint64 pos = 8;
    while (pos + 8 <= bytes.size()) {
        const qint64 length = (qint64(data[pos]) << 24) | (qint64(data[pos + 1]) << 16) |
                              (qint64(data[pos + 2]) << 8) | qint64(data[pos + 3]);
        if (pos + 12 + length > bytes.size()) {
            return false;
        }
        if (std::memcmp(data + pos + 4, "IEND", 4) == 0) {
            return true;
        }
        pos += 12 + length;
    }
    return pos == bytes.size();
}

// Files larger than this are not read: no image a classifier is trained on is this big, and
// reading one would take that much memory per decode thread.
constexpr qint64 kMaxFileBytes = qint64(512) << 20;

// Images with more pixels than this are refused before they are decoded: a small compressed
// file can claim (and decode to) gigabytes. OPENCV_IO_MAX_IMAGE_PIXELS, which OpenCV reads for
// its own, higher limit, overrides it.
qint64 maxImagePixels()
{
    static const qint64 limit = [] {
        const QByteArray env = qgetenv("OPENCV_IO_MAX_IMAGE_PIXELS");
        bool ok = false;
        const qint64 value = env.trimmed().toLongLong(&ok);
        return ok && value > 0 ? value : qint64(1) << 27;
    }();
    return limit;
}

quint32 bigEndian(const uchar* p, int n)
{
    quint32 v = 0;
    for (int i = 0; i < n; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}

quint32 littleEndian(const uchar* p, int n)
{
    quint32 v = 0;
    for (int i = n - 1; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// The width and height the header of a PNG, JPEG, BMP, TIFF or WebP file announces, read
// without decoding; false when they cannot be found (then OpenCV's own checks apply).
bool headerDimensions(const QByteArray& bytes, const QString& format, qint64* width, qint64* height)
{
    const auto* d = reinterpret_cast<const uchar*>(bytes.constData());
    const qint64 n = bytes.size();
    if (format == QLatin1String("PNG")) {
        if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) {
            return false;
        }
        *width = bigEndian(d + 16, 4);
        *height = bigEndian(d + 20, 4);
        return true;
    }
    if (format == QLatin1String("JPEG")) {
        // Walk the marker segments up to the first start-of-frame.
        qint64 pos = 2;
        while (pos + 4 <= n) {
            if (d[pos] != 0xff) {
                return false;
            }
            const uchar marker = d[pos + 1];
            if (marker == 0xff) {
                ++pos;
                continue;
            }
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                pos += 2;
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                return false;
            }
            const qint64 length = bigEndian(d + pos + 2, 2);
            const bool frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 &&
                               marker != 0xc8 && marker != 0xcc;
            if (frame) {
                if (pos + 9 > n) {
                    return false;
                }
                *height = bigEndian(d + pos + 5, 2);
                *width = bigEndian(d + pos + 7, 2);
                return true;
            }
            pos += 2 + length;
        }
        return false;
    }
    if (format == QLatin1String("BMP")) {
        if (n < 26) {
            return false;
        }
        const quint32 header = littleEndian(d + 14, 4);
        if (header == 12) {
            *width = littleEndian(d + 18, 2);
            *height = littleEndian(d + 20, 2);
        } else {
            *width = qAbs(qint64(qint32(littleEndian(d + 18, 4))));
            *height = qAbs(qint64(qint32(littleEndian(d + 22, 4))));
        }
        return true;
    }
    if (format == QLatin1String("TIFF")) {
        const bool little = d[0] == 'I';
        const auto read = [&](qint64 at, int size) -> qint64 {
            return at + size <= n
                       ? qint64(little ? littleEndian(d + at, size) : bigEndian(d + at, size))
                       : -1;
        };
        const qint64 ifd = read(4, 4);
        const qint64 entries = read(ifd, 2);
        *width = -1;
        *height = -1;
        for (qint64 i = 0; ifd >= 8 && i < entries; ++i) {
            const qint64 entry = ifd + 2 + 12 * i;
            const qint64 tag = read(entry, 2);
            const qint64 type = read(entry + 2, 2);
            if (tag != 256 && tag != 257) {
                continue;
            }
            const qint64 value = type == 3 ? read(entry + 8, 2) : read(entry + 8, 4);
            (tag == 256 ? *width : *height) = value;
        }
        return *width >= 0 && *height >= 0;
    }
    if (format == QLatin1String("WebP")) {
        if (n >= 30 && std::memcmp(d + 12, "VP8X", 4) == 0) {
            *width = qint64(littleEndian(d + 24, 3)) + 1;
            *height = qint64(littleEndian(d + 27, 3)) + 1;
            return true;
        }
        if (n >= 30 && std::memcmp(d + 12, "VP8 ", 4) == 0) {
            *width = littleEndian(d + 26, 2) & 0x3fff;
            *height = littleEndian(d + 28, 2) & 0x3fff;
            return true;
        }
        if (n >= 25 && std::memcmp(d + 12, "VP8L", 4) == 0) {
            const quint32 bits = littleEndian(d + 21, 4);
            *width = qint64(bits & 0x3fff) + 1;
            *height = qint64((bits >> 14) & 0x3fff) + 1;
            return true;
        }
        return false;
    }
    return false;
}

QString tooLargeReason(qint64 width, qint64 height)
{
    return QStringLiteral("image of %1x%2 pixels is too large (the limit is %3 million pixels, "
                          "to keep memory bounded); shrink it, or raise the limit with the "
                          "environment variable OPENCV_IO_MAX_IMAGE_PIXELS")
        .arg(width)
        .arg(height)
        .arg(maxImagePixels() / 1000000);
}

DecodeResult failed(SkipReason kind, const QString& reason)
{
    DecodeResult result;
    result.failure = {kind, reason};
    return result;
}

// An OpenCV matrix (BGR or BGRA order, any depth) as a RawImage in RGB(A) order: 8/16-bit
// unsigned samples stay, other depths become float.
RawImage rawFromMat(const cv::Mat& decoded)
{
    cv::Mat mat = decoded;
    if (mat.channels() == 3) {
        cv::cvtColor(decoded, mat, cv::COLOR_BGR2RGB);
    } else if (mat.channels() == 4) {
        cv::cvtColor(decoded, mat, cv::COLOR_BGRA2RGBA);
    }
    RawImage image;
    image.width = mat.cols;
    image.height = mat.rows;
    image.channels = mat.channels();
    image.alpha = mat.channels() == 2 || mat.channels() == 4;
    if (mat.depth() == CV_8U) {
        image.type = SampleType::UInt8;
    } else if (mat.depth() == CV_16U) {
        image.type = SampleType::UInt16;
    } else {
        image.type = SampleType::Float32;
        mat.convertTo(mat, CV_32F);
    }
    image.data.resize(size_t(mat.cols) * size_t(mat.rows) * mat.elemSize());
    cv::Mat packed(mat.rows, mat.cols, mat.type(), image.data.data());
    mat.copyTo(packed);
    return image;
}

// The bytes of an image file, or why they cannot be read.
bool readImageFile(const QString& path, QByteArray* bytes, DecodeFailure* failure)
{
    const auto fail = [&](SkipReason kind, const QString& reason) {
        *failure = {kind, reason};
        return false;
    };
    const QFileInfo info(path);
    if (info.isSymLink() && !info.exists()) {
        struct stat target;
        if (::stat(QFile::encodeName(path).constData(), &target) != 0 && errno == ELOOP) {
            return fail(SkipReason::DanglingLink,
                        QStringLiteral("symbolic link loop (it leads back to itself through "
                                       "'%1'); replace it with the image or a link to one")
                            .arg(info.symLinkTarget()));
        }
        return fail(SkipReason::DanglingLink,
                    QStringLiteral("dangling symbolic link (its target '%1' does not exist)")
                        .arg(info.symLinkTarget()));
    }
    if (!info.exists()) {
        // A name that is not UTF-8 reaches us with U+FFFD in place of the bad bytes, and that
        // name opens nothing.
        if (info.fileName().contains(QChar::ReplacementCharacter)) {
            return fail(SkipReason::Unreadable,
                        QStringLiteral("its name is not valid UTF-8, so it cannot be opened; "
                                       "rename it"));
        }
        return fail(SkipReason::Unreadable,
                    QStringLiteral("the file does not exist (it may have been moved or "
                                   "deleted)"));
    }
    if (info.isDir()) {
        return fail(SkipReason::NotAnImage, QStringLiteral("a folder, not an image file"));
    }
    if (!info.isFile()) {
        // Opening a named pipe would wait for a writer forever; a device may never end.
        return fail(SkipReason::Unreadable,
                    QStringLiteral("not a regular file (a named pipe, socket or device); "
                                   "remove it from the folder"));
    }
    if (info.size() > kMaxFileBytes) {
        return fail(SkipReason::Unreadable,
                    QStringLiteral("file of %1 MiB is too large to be an image the app can use "
                                   "(the limit is %2 MiB); remove it or shrink the image")
                        .arg(info.size() >> 20)
                        .arg(kMaxFileBytes >> 20));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (file.error() == QFileDevice::PermissionsError || !info.isReadable()) {
            return fail(SkipReason::PermissionDenied,
                        QStringLiteral("permission denied (make the file readable)"));
        }
        return fail(SkipReason::Unreadable,
                    QStringLiteral("cannot be read (%1)").arg(file.errorString()));
    }
    *bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return fail(SkipReason::Unreadable,
                    QStringLiteral("cannot be read (%1)").arg(file.errorString()));
    }
    return true;
}

RawDecodeResult rawFailed(SkipReason kind, const QString& reason)
{
    RawDecodeResult result;
    result.failure = {kind, reason};
    return result;
}

// Decodes a non-TIFF file with OpenCV; raw.empty() when it cannot.
RawDecodeResult decodeWithOpenCv(const QByteArray& bytes, const QString& format)
{
    cv::Mat raw;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.constData()));
        raw = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        // OpenCV's own size limit (validateInputImageSize) throws.
        if (e.msg.find("CV_IO_MAX_IMAGE") != std::string::npos) {
            return rawFailed(SkipReason::NotAnImage,
                             QStringLiteral("image is too large (more pixels than OpenCV's "
                                            "limit, OPENCV_IO_MAX_IMAGE_PIXELS, allows); shrink "
                                            "it"));
        }
        raw.release();
    }
    if (raw.empty()) {
        if (!format.isEmpty()) {
            return rawFailed(
                SkipReason::Truncated,
                QStringLiteral("truncated or damaged %1 file (could not decode)").arg(format));
        }
        return rawFailed(SkipReason::NotAnImage, QStringLiteral("not an image (could not decode)"));
    }
    if (format == QLatin1String("JPEG") && !jpegHasEnd(bytes)) {
        return rawFailed(SkipReason::Truncated,
                         QStringLiteral("truncated JPEG file (its end marker is missing)"));
    }
    RawDecodeResult result;
    result.ok = true;
    result.image = rawFromMat(raw);
    return result;
}

// Decodes a TIFF file with libtiff.
RawDecodeResult decodeWithLibTiff(const QByteArray& bytes)
{
    TiffReadResult tiff = readTiff(bytes, maxImagePixels());
    if (!tiff.ok) {
        return rawFailed(tiff.damaged ? SkipReason::Truncated : SkipReason::NotAnImage, tiff.error);
    }
    RawDecodeResult result;
    result.ok = true;
    result.image = std::move(tiff.image);
    return result;
}

} // namespace

int matDepth(SampleType type)
{
    switch (type) {
    case SampleType::UInt8:
        return CV_8U;
    case SampleType::UInt16:
        return CV_16U;
    case SampleType::Float32:
        return CV_32F;
    }
    return CV_8U;
}

bool toEightBitGreyOrRgb(const RawImage& raw, cv::Mat* out)
{
    const cv::Mat mat = matOf(raw);
    cv::Mat img = mat;
    if (raw.type == SampleType::UInt16) {
        mat.convertTo(img, CV_8U, 1.0 / 257.0);
    } else if (raw.type == SampleType::Float32) {
        double lo = 0;
        double hi = 0;
        cv::minMaxLoc(mat.reshape(1), &lo, &hi);
        mat.convertTo(img, CV_8U, hi <= 1.0 ? 255.0 : 1.0);
    }
    switch (img.channels()) {
    case 1:
    case 3:
        *out = img;
        return true;
    case 2:
        cv::extractChannel(img, *out, 0);
        return true;
    case 4:
        cv::cvtColor(img, *out, cv::COLOR_RGBA2RGB);
        return true;
    default:
        return false;
    }
}

cv::Mat matOf(const RawImage& raw)
{
    return cv::Mat(raw.height, raw.width, CV_MAKETYPE(matDepth(raw.type), raw.channels),
                   const_cast<uint8_t*>(raw.data.data()));
}

cv::Mat squareImage(const cv::Mat& image, ResizeMode mode, const std::vector<double>& fill)
{
    if (mode == ResizeMode::Stretch || image.cols == image.rows) {
        return image;
    }
    const int shorter = std::min(image.cols, image.rows);
    const int longer = std::max(image.cols, image.rows);
    if (mode == ResizeMode::Crop) {
        return image(
            cv::Rect((image.cols - shorter) / 2, (image.rows - shorter) / 2, shorter, shorter));
    }
    // Pad: one pixel of fill values, repeated (cv::Scalar holds only four channels).
    cv::Mat pixel(1, 1, CV_MAKETYPE(CV_64F, image.channels()));
    for (int c = 0; c < image.channels(); ++c) {
        pixel.ptr<double>()[c] = c < int(fill.size()) ? fill[size_t(c)] : 0.0;
    }
    pixel.convertTo(pixel, image.type());
    cv::Mat square;
    cv::repeat(pixel, longer, longer, square);
    image.copyTo(square(
        cv::Rect((longer - image.cols) / 2, (longer - image.rows) / 2, image.cols, image.rows)));
    return square;
}

void resizeImage(const cv::Mat& in, cv::Mat& out, cv::Size size)
{
    const bool shrink = in.cols >= size.width && in.rows >= size.height;
    const int interpolation = shrink ? cv::INTER_AREA : cv::INTER_LINEAR;
    // OpenCV's area resampling takes at most 4 channels: more are resized plane by plane.
    if (in.channels() <= 4) {
        cv::resize(in, out, size, 0, 0, interpolation);
        return;
    }
    std::vector<cv::Mat> planes;
    cv::split(in, planes);
    for (cv::Mat& plane : planes) {
        cv::Mat resized;
        cv::resize(plane, resized, size, 0, 0, interpolation);
        plane = resized;
    }
    cv::Mat merged;
    cv::merge(planes, merged);
    merged.copyTo(out); // into the caller's buffer when it has the size and type
}

cv::Mat resizedToSquare(const cv::Mat& image, int size, bool keepSmaller)
{
    if ((image.cols == size && image.rows == size) ||
        (keepSmaller && image.cols <= size && image.rows <= size)) {
        return image;
    }
    cv::Mat resized;
    resizeImage(image, resized, cv::Size(size, size));
    return resized;
}

RawDecodeResult decodeRawImageFile(const QString& path)
{
    QByteArray bytes;
    DecodeFailure failure;
    if (!readImageFile(path, &bytes, &failure)) {
        return rawFailed(failure.kind, failure.reason);
    }
    return decodeRawImageBytes(bytes);
}

RawDecodeResult decodeRawImageBytes(const QByteArray& bytes)
{
    if (bytes.isEmpty()) {
        return rawFailed(SkipReason::Empty, QStringLiteral("empty file (0 bytes)"));
    }
    silenceOpenCvOnce();
    const QString format = sniffFormat(bytes);
    if (format == QLatin1String("PNG") && !pngChunksComplete(bytes)) {
        return rawFailed(SkipReason::Truncated,
                         QStringLiteral("truncated PNG file (it ends inside its image data)"));
    }
    qint64 width = 0;
    qint64 height = 0;
    if (headerDimensions(bytes, format, &width, &height) &&
        double(width) * double(height) > double(maxImagePixels())) {
        return rawFailed(SkipReason::NotAnImage, tooLargeReason(width, height));
    }
    RawDecodeResult result = format == QLatin1String("TIFF") ? decodeWithLibTiff(bytes)
                                                             : decodeWithOpenCv(bytes, format);
    if (!result.ok) {
        return result;
    }
    if (const qint64 bad = countNonFinite(result.image); bad > 0) {
        return rawFailed(SkipReason::NotAnImage,
                         QStringLiteral("%1 of its samples are not numbers (NaN or infinite); "
                                        "replace them (with 0, say) or leave the image out")
                             .arg(bad));
    }
    result.pixelHash = hashPixels(result.image);
    return result;
}

DecodeResult decodeImageFile(const QString& path, const ImageShape& shape, bool wantPixels,
                             DecodeSize size)
{
    QByteArray bytes;
    DecodeFailure failure;
    if (!readImageFile(path, &bytes, &failure)) {
        return failed(failure.kind, failure.reason);
    }
    return decodeImageBytes(bytes, shape, wantPixels, size);
}

void resizeToShape(const uint8_t* src, int width, int height, const ImageShape& shape, uint8_t* dst)
{
    const int type = CV_MAKETYPE(shape.sampleBytes == 2 ? CV_16U : CV_8U, shape.channels);
    const cv::Mat in(height, width, type, const_cast<uint8_t*>(src));
    cv::Mat out(shape.size, shape.size, type, dst);
    if (width == shape.size && height == shape.size) {
        in.copyTo(out);
        return;
    }
    resizeImage(in, out, out.size());
}

DecodeResult decodeImageBytes(const QByteArray& bytes, const ImageShape& shape, bool wantPixels,
                              DecodeSize size)
{
    const RawDecodeResult decoded = decodeRawImageBytes(bytes);
    if (!decoded.ok) {
        return failed(decoded.failure.kind, decoded.failure.reason);
    }
    DecodeResult result = eightBitImageOf(decoded, shape, wantPixels, size, ResizeMode::Stretch, 0);
    if (result.ok) {
        result.image.format = describeImage(decoded.image);
    }
    return result;
}

DecodeResult eightBitImageOf(const RawDecodeResult& decoded, const ImageShape& shape,
                             bool wantPixels, DecodeSize size, ResizeMode resize, double fill)
{
    const RawImage& raw = decoded.image;
    DecodeResult result;
    result.ok = true;
    result.image.sourceWidth = raw.width;
    result.image.sourceHeight = raw.height;
    result.image.pixelHash = decoded.pixelHash;
    if (!wantPixels) {
        return result;
    }
    try {
        cv::Mat img;
        if (!toEightBitGreyOrRgb(raw, &img)) {
            return failed(SkipReason::NotAnImage,
                          QStringLiteral("image with %1 channels; only grey, RGB and RGBA images "
                                         "are supported")
                              .arg(raw.channels));
        }
        if (shape.channels == 1 && img.channels() == 3) {
            cv::cvtColor(img, img, cv::COLOR_RGB2GRAY);
        }
        // Channel order and grey-to-RGB are per-pixel copies, so they commute with the resize:
        // resizeToShape() on kept pixels gives the same bytes as resizing here.
        const cv::Mat square =
            squareImage(img, resize, std::vector<double>(size_t(img.channels()), fill));
        const cv::Mat resized =
            resizedToSquare(square, shape.size, size == DecodeSize::KeepSmaller);
        result.image.width = resized.cols;
        result.image.height = resized.rows;
        result.image.pixels.resize(size_t(resized.cols) * size_t(resized.rows) *
                                   size_t(shape.channels));
        cv::Mat out(resized.rows, resized.cols, CV_8UC(shape.channels), result.image.pixels.data());
        if (shape.channels == 1) {
            resized.copyTo(out);
        } else if (resized.channels() == 1) {
            cv::cvtColor(resized, out, cv::COLOR_GRAY2RGB);
        } else {
            resized.copyTo(out);
        }
        if (out.data != result.image.pixels.data()) {
            return failed(SkipReason::NotAnImage, QStringLiteral("could not convert the pixels"));
        }
    } catch (const cv::Exception& e) {
        return failed(
            SkipReason::NotAnImage,
            QStringLiteral("could not convert the pixels (%1)").arg(QString::fromStdString(e.msg)));
    }
    return result;
}

} // namespace studio
