#include "dataset/tiffreader.h"

#include <QRegularExpression>

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

namespace studio {

namespace {

// A TIFF file held in memory, read through libtiff's client callbacks.
struct MemoryFile
{
    const QByteArray* bytes = nullptr;
    toff_t position = 0;
};

tmsize_t readMemory(thandle_t handle, void* buffer, tmsize_t size)
{
    auto* file = static_cast<MemoryFile*>(handle);
    const toff_t total = toff_t(file->bytes->size());
    if (file->position >= total || size <= 0) {
        return 0;
    }
    const tmsize_t n = tmsize_t(std::min<toff_t>(toff_t(size), total - file->position));
    std::memcpy(buffer, file->bytes->constData() + file->position, size_t(n));
    file->position += toff_t(n);
    return n;
}

tmsize_t writeNothing(thandle_t, void*, tmsize_t)
{
    return 0;
}

toff_t seekMemory(thandle_t handle, toff_t offset, int whence)
{
    auto* file = static_cast<MemoryFile*>(handle);
    const toff_t base = whence == SEEK_CUR   ? file->position
                        : whence == SEEK_END ? toff_t(file->bytes->size())
                                             : 0;
    file->position = base + offset;
    return file->position;
}

int closeNothing(thandle_t)
{
    return 0;
}

toff_t memorySize(thandle_t handle)
{
    return toff_t(static_cast<MemoryFile*>(handle)->bytes->size());
}

int mapMemory(thandle_t handle, void** base, toff_t* size)
{
    auto* file = static_cast<MemoryFile*>(handle);
    *base = const_cast<char*>(file->bytes->constData());
    *size = toff_t(file->bytes->size());
    return 1;
}

void unmapNothing(thandle_t, void*, toff_t) {}

// libtiff's first error message for this file, kept instead of printed.
int keepFirstError(TIFF*, void* userData, const char* module, const char* format, va_list args)
{
    auto* error = static_cast<QString*>(userData);
    if (error->isEmpty()) {
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        *error =
            module != nullptr && *module != '\0'
                ? QStringLiteral("%1: %2").arg(QString::fromUtf8(module), QString::fromUtf8(text))
                : QString::fromUtf8(text);
    }
    return 1;
}

int ignoreWarning(TIFF*, void*, const char*, const char*, va_list)
{
    return 1;
}

// Closes a TIFF handle when it goes out of scope.
struct TiffCloser
{
    void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

// What one page's header says.
struct PageInfo
{
    uint32_t width = 0;
    uint32_t height = 0;
    uint16_t samples = 1;
    uint16_t bits = 1;
    uint16_t format = SAMPLEFORMAT_UINT;
    uint16_t planar = PLANARCONFIG_CONTIG;
    uint16_t photometric = PHOTOMETRIC_MINISBLACK;
    bool alpha = false;
    bool reduced = false; // a thumbnail or pyramid level (NewSubfileType bit 0)
    QString description;  // ImageDescription
};

PageInfo readPageInfo(TIFF* tif)
{
    PageInfo page;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &page.width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &page.height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &page.samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &page.bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &page.format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &page.planar);
    if (TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &page.photometric) == 0) {
        page.photometric = page.samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    }
    uint16_t extraCount = 0;
    uint16_t* extraTypes = nullptr;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extraCount, &extraTypes) != 0 && extraCount > 0) {
        const uint16_t last = extraTypes[extraCount - 1];
        // Only a sample beyond the first can be transparency (a damaged file may say otherwise).
        page.alpha =
            page.samples >= 2 && (last == EXTRASAMPLE_ASSOCALPHA || last == EXTRASAMPLE_UNASSALPHA);
    }
    uint32_t subfileType = 0;
    if (TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &subfileType) != 0) {
        page.reduced = (subfileType & FILETYPE_REDUCEDIMAGE) != 0;
    }
    char* description = nullptr;
    if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &description) != 0 && description != nullptr) {
        page.description = QString::fromUtf8(description);
    }
    return page;
}

// True when the page's samples can be copied as they are (else libtiff's RGBA reader decodes).
bool readsDirectly(const PageInfo& page)
{
    const bool bitsOk = page.bits == 8 || page.bits == 16 || page.bits == 32 || page.bits == 64;
    const bool photometricOk =
        page.photometric == PHOTOMETRIC_MINISBLACK || page.photometric == PHOTOMETRIC_MINISWHITE ||
        page.photometric == PHOTOMETRIC_RGB || page.photometric == PHOTOMETRIC_SEPARATED;
    const bool formatOk = page.format == SAMPLEFORMAT_UINT || page.format == SAMPLEFORMAT_INT ||
                          (page.format == SAMPLEFORMAT_IEEEFP && page.bits >= 32);
    return bitsOk && photometricOk && formatOk;
}

// The sample type a page becomes: 8/16-bit unsigned stay, everything else is float.
SampleType targetType(const PageInfo& page)
{
    if (!readsDirectly(page)) {
        return SampleType::UInt8;
    }
    if (page.format == SAMPLEFORMAT_UINT && page.bits == 8) {
        return SampleType::UInt8;
    }
    if (page.format == SAMPLEFORMAT_UINT && page.bits == 16) {
        return SampleType::UInt16;
    }
    return SampleType::Float32;
}

// How a file's pages map to an image: which pages, and whether they are channels.
struct Layout
{
    QVector<int> pages; // directory numbers to read
    QString refusal;    // why the file cannot be used, when not empty
};

// "ImageJ=...\nchannels=4\nslices=1\n..." -> the value of `key`, or 1.
int imageJValue(const QString& description, const QString& key)
{
    const QRegularExpression re(QStringLiteral("(?:^|\\n)%1=(\\d+)").arg(key));
    const QRegularExpressionMatch m = re.match(description);
    return m.hasMatch() ? m.captured(1).toInt() : 1;
}

// The OME-XML <Pixels> attribute `key` (SizeC, SizeZ, SizeT), or 1.
int omeValue(const QString& description, const QString& key)
{
    const QRegularExpression re(
        QStringLiteral("<(?:\\w+:)?Pixels\\b[^>]*\\b%1=\"(\\d+)\"").arg(key));
    const QRegularExpressionMatch m = re.match(description);
    return m.hasMatch() ? m.captured(1).toInt() : 1;
}

QString stackRefusal(const QString& kind, int slices, int frames)
{
    return QStringLiteral("%1 with %2 z-slices and %3 time points; the app classifies 2-D "
                          "images whose pages are channels. Save one slice or time point per "
                          "file (or a projection) and scan again")
        .arg(kind)
        .arg(slices)
        .arg(frames);
}

// Refuses pages that differ from the first in size or sample type.
QString differingPages(const QVector<PageInfo>& pages)
{
    const PageInfo& first = pages.first();
    for (const PageInfo& page : pages) {
        if (page.width != first.width || page.height != first.height || page.bits != first.bits ||
            page.format != first.format || page.samples != first.samples ||
            page.photometric != first.photometric) {
            return QStringLiteral("its %1 pages differ in size or kind (%2x%3 %4-bit and "
                                  "%5x%6 %7-bit), so they cannot be channels of one image; save "
                                  "one image per file")
                .arg(pages.size())
                .arg(first.width)
                .arg(first.height)
                .arg(first.bits)
                .arg(page.width)
                .arg(page.height)
                .arg(page.bits);
        }
    }
    return {};
}

Layout chooseLayout(const QVector<PageInfo>& all)
{
    Layout layout;
    QVector<PageInfo> pages;
    for (int i = 0; i < all.size(); ++i) {
        if (!all[i].reduced || i == 0) {
            layout.pages.append(i);
            pages.append(all[i]);
        }
    }
    const QString& description = all.first().description;
    if (description.startsWith(QLatin1String("ImageJ="))) {
        const int slices = imageJValue(description, QStringLiteral("slices"));
        const int frames = imageJValue(description, QStringLiteral("frames"));
        if (slices * frames > 1) {
            layout.refusal = stackRefusal(QStringLiteral("an ImageJ hyperstack"), slices, frames);
            return layout;
        }
    } else if (description.contains(QLatin1String("<OME"))) {
        const int images =
            int(description.count(QRegularExpression(QStringLiteral("<(?:\\w+:)?Image\\b"))));
        if (images > 1) {
            layout.refusal = QStringLiteral("an OME-TIFF file holding %1 images (series); the app "
                                            "reads one image per file. Save each series as its "
                                            "own file")
                                 .arg(images);
            return layout;
        }
        const int slices = omeValue(description, QStringLiteral("SizeZ"));
        const int frames = omeValue(description, QStringLiteral("SizeT"));
        if (slices * frames > 1) {
            layout.refusal = stackRefusal(QStringLiteral("an OME-TIFF stack"), slices, frames);
            return layout;
        }
    }
    if (pages.size() == 1) {
        return layout;
    }
    if (const QString differ = differingPages(pages); !differ.isEmpty()) {
        layout.refusal = differ;
        return layout;
    }
    if (pages.first().samples > 1) {
        layout.refusal = QStringLiteral("it has %1 pages of %2-channel images (a stack or an "
                                        "animation); the app reads pages as channels only when "
                                        "each page has one channel. Save one image per file")
                             .arg(pages.size())
                             .arg(pages.first().samples);
        return layout;
    }
    if (pages.size() > kMaxTiffChannels) {
        layout.refusal = QStringLiteral("it has %1 pages; the app reads the pages of a TIFF as "
                                        "channels and allows at most %2. If they are z-slices or "
                                        "time points, save one image per file")
                             .arg(pages.size())
                             .arg(kMaxTiffChannels);
    }
    return layout;
}

// A file-order sample at `p` (of `bits` and `format`) as a double.
double sampleAt(const uint8_t* p, const PageInfo& page)
{
    switch (page.bits) {
    case 8:
        return page.format == SAMPLEFORMAT_INT ? double(*reinterpret_cast<const int8_t*>(p))
                                               : double(*p);
    case 16: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return page.format == SAMPLEFORMAT_INT ? double(int16_t(v)) : double(v);
    }
    case 32: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        if (page.format == SAMPLEFORMAT_IEEEFP) {
            float f;
            std::memcpy(&f, &v, 4);
            return double(f);
        }
        return page.format == SAMPLEFORMAT_INT ? double(int32_t(v)) : double(v);
    }
    default: {
        uint64_t v;
        std::memcpy(&v, p, 8);
        if (page.format == SAMPLEFORMAT_IEEEFP) {
            double d;
            std::memcpy(&d, &v, 8);
            return d;
        }
        return page.format == SAMPLEFORMAT_INT ? double(int64_t(v)) : double(v);
    }
    }
}

// Reads a directly readable page's samples, interleaved, at the file's bits per sample.
bool readPageSamples(TIFF* tif, const PageInfo& page, std::vector<uint8_t>* out)
{
    const size_t bytes = page.bits / 8;
    const size_t w = page.width;
    const size_t h = page.height;
    const size_t spp = page.samples;
    out->assign(w * h * spp * bytes, 0);
    const bool separate = page.planar == PLANARCONFIG_SEPARATE && spp > 1;
    const size_t planes = separate ? spp : 1;
    const size_t perPixel = separate ? 1 : spp; // samples per pixel in one plane
    std::vector<uint8_t> buffer;
    // Copies `count` pixels of a plane, from src, to row y, column x.
    const auto put = [&](const uint8_t* src, size_t plane, size_t y, size_t x, size_t count) {
        uint8_t* dst = out->data() + ((y * w + x) * spp + plane) * bytes;
        if (!separate) {
            std::memcpy(dst, src, count * spp * bytes);
            return;
        }
        for (size_t i = 0; i < count; ++i) {
            std::memcpy(dst + i * spp * bytes, src + i * bytes, bytes);
        }
    };
    if (TIFFIsTiled(tif) != 0) {
        uint32_t tw = 0;
        uint32_t th = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        // A tile may be larger than a small image, but not without bound: a header's tile size
        // alone must not make us allocate gigabytes (a fuzzed 15369x39 image had 2 GB tiles).
        const uint64_t tileBytes = uint64_t(TIFFTileSize64(tif));
        const uint64_t tileLimit = uint64_t(out->size()) * 4 + (uint64_t(64) << 20);
        if (tw == 0 || th == 0 || tileBytes == 0 || tileBytes > tileLimit) {
            return false;
        }
        buffer.resize(size_t(tileBytes));
        for (size_t plane = 0; plane < planes; ++plane) {
            for (uint32_t ty = 0; ty < h; ty += th) {
                for (uint32_t tx = 0; tx < w; tx += tw) {
                    const uint32_t tile = TIFFComputeTile(tif, tx, ty, 0, uint16_t(plane));
                    if (TIFFReadEncodedTile(tif, tile, buffer.data(), tmsize_t(buffer.size())) <
                        0) {
                        return false;
                    }
                    const size_t rows = std::min<size_t>(th, h - ty);
                    const size_t cols = std::min<size_t>(tw, w - tx);
                    for (size_t r = 0; r < rows; ++r) {
                        put(buffer.data() + r * tw * perPixel * bytes, plane, ty + r, tx, cols);
                    }
                }
            }
        }
        return true;
    }
    uint32_t rowsPerStrip = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rowsPerStrip);
    rowsPerStrip = std::clamp<uint32_t>(rowsPerStrip, 1, uint32_t(h));
    const size_t rowBytes = w * perPixel * bytes;
    const uint32_t stripsPerPlane = uint32_t((h + rowsPerStrip - 1) / rowsPerStrip);
    buffer.resize(size_t(rowsPerStrip) * rowBytes);
    for (size_t plane = 0; plane < planes; ++plane) {
        for (uint32_t s = 0; s < stripsPerPlane; ++s) {
            const size_t y0 = size_t(s) * rowsPerStrip;
            const size_t rows = std::min<size_t>(rowsPerStrip, h - y0);
            const tmsize_t got = TIFFReadEncodedStrip(tif, uint32_t(plane) * stripsPerPlane + s,
                                                      buffer.data(), tmsize_t(rows * rowBytes));
            if (got < tmsize_t(rows * rowBytes)) {
                return false;
            }
            for (size_t r = 0; r < rows; ++r) {
                put(buffer.data() + r * rowBytes, plane, y0 + r, 0, w);
            }
        }
    }
    return true;
}

// Converts file-order samples to the page's target type (inverting min-is-white integers).
void convertSamples(const std::vector<uint8_t>& samples, const PageInfo& page, RawImage* image)
{
    const size_t count = size_t(page.width) * page.height * page.samples;
    const bool invert = page.photometric == PHOTOMETRIC_MINISWHITE;
    const size_t bytes = page.bits / 8;
    image->data.resize(count * size_t(image->bytesPerSample()));
    if (image->type == SampleType::UInt8) {
        for (size_t i = 0; i < count; ++i) {
            image->data[i] = invert ? uint8_t(255 - samples[i]) : samples[i];
        }
    } else if (image->type == SampleType::UInt16) {
        auto* dst = reinterpret_cast<uint16_t*>(image->data.data());
        std::memcpy(dst, samples.data(), count * 2);
        if (invert) {
            std::transform(dst, dst + count, dst, [](uint16_t v) { return uint16_t(65535 - v); });
        }
    } else {
        auto* dst = reinterpret_cast<float*>(image->data.data());
        for (size_t i = 0; i < count; ++i) {
            dst[i] = float(sampleAt(samples.data() + i * bytes, page));
        }
    }
}

// A page libtiff's RGBA reader decodes (palette, YCbCr, bilevel...): 8-bit grey or RGB.
bool readPageAsRgba(TIFF* tif, const PageInfo& page, RawImage* image, QString* error)
{
    char message[1024] = {0};
    if (TIFFRGBAImageOK(tif, message) == 0) {
        *error = QStringLiteral("its pixel layout is not supported (%1 bits per sample, "
                                "photometric %2: %3)")
                     .arg(page.bits)
                     .arg(page.photometric)
                     .arg(QString::fromUtf8(message));
        return false;
    }
    std::vector<uint32_t> rgba(size_t(page.width) * page.height);
    if (TIFFReadRGBAImageOriented(tif, page.width, page.height, rgba.data(), ORIENTATION_TOPLEFT,
                                  0) == 0) {
        return false;
    }
    const bool grey = (page.photometric == PHOTOMETRIC_MINISBLACK ||
                       page.photometric == PHOTOMETRIC_MINISWHITE) &&
                      page.samples == 1;
    image->channels = grey ? 1 : 3;
    image->type = SampleType::UInt8;
    image->data.resize(rgba.size() * size_t(image->channels));
    for (size_t i = 0; i < rgba.size(); ++i) {
        if (grey) {
            image->data[i] = uint8_t(TIFFGetR(rgba[i]));
        } else {
            image->data[i * 3] = uint8_t(TIFFGetR(rgba[i]));
            image->data[i * 3 + 1] = uint8_t(TIFFGetG(rgba[i]));
            image->data[i * 3 + 2] = uint8_t(TIFFGetB(rgba[i]));
        }
    }
    return true;
}

// Reads the current page into `image`; false with *error (or a damaged file) on failure.
bool readPage(TIFF* tif, const PageInfo& page, RawImage* image, QString* error)
{
    image->width = int(page.width);
    image->height = int(page.height);
    if (!readsDirectly(page)) {
        return readPageAsRgba(tif, page, image, error);
    }
    image->channels = page.samples;
    image->alpha = page.alpha;
    image->type = targetType(page);
    std::vector<uint8_t> samples;
    if (!readPageSamples(tif, page, &samples)) {
        return false;
    }
    convertSamples(samples, page, image);
    return true;
}

// Appends `page` (one channel) to `image` as its last channel.
void appendChannel(const RawImage& page, RawImage* image)
{
    const size_t pixels = size_t(page.width) * page.height;
    const size_t bytes = size_t(page.bytesPerSample());
    const int before = image->channels;
    std::vector<uint8_t> merged(pixels * size_t(before + 1) * bytes);
    for (size_t i = 0; i < pixels; ++i) {
        uint8_t* dst = merged.data() + i * size_t(before + 1) * bytes;
        std::memcpy(dst, image->data.data() + i * size_t(before) * bytes, size_t(before) * bytes);
        std::memcpy(dst + size_t(before) * bytes, page.data.data() + i * bytes, bytes);
    }
    image->data = std::move(merged);
    image->channels = before + 1;
}

TiffReadResult refused(const QString& error, bool damaged = false)
{
    TiffReadResult result;
    result.error = error;
    result.damaged = damaged;
    return result;
}

// Every page's header, or empty when libtiff cannot walk the directories.
QVector<PageInfo> readPageInfos(TIFF* tif)
{
    QVector<PageInfo> pages;
    do {
        pages.append(readPageInfo(tif));
        if (pages.size() > 4 * kMaxTiffChannels + 64) {
            break; // enough to refuse it
        }
    } while (TIFFReadDirectory(tif) != 0);
    return pages;
}

// Why the page cannot be decoded within the pixel limit, or an empty string.
QString sizeRefusal(const PageInfo& page, int pages, qint64 maxPixels)
{
    if (page.width == 0 || page.height == 0) {
        return QStringLiteral("its header gives no image size");
    }
    if (page.samples == 0 || page.samples > kMaxTiffChannels) {
        return QStringLiteral("it has %1 samples per pixel; the app reads at most %2 channels")
            .arg(page.samples)
            .arg(kMaxTiffChannels);
    }
    if (double(page.width) * double(page.height) * std::max(1, pages) > double(maxPixels)) {
        return QStringLiteral("image of %1x%2 pixels%3 is too large (the limit is %4 million "
                              "pixels, to keep memory bounded); shrink it, or raise the limit "
                              "with the environment variable OPENCV_IO_MAX_IMAGE_PIXELS")
            .arg(page.width)
            .arg(page.height)
            .arg(pages > 1 ? QStringLiteral(" in %1 pages").arg(pages) : QString())
            .arg(maxPixels / 1000000);
    }
    return {};
}

} // namespace

TiffReadResult readTiff(const QByteArray& bytes, qint64 maxPixels)
{
    QString libtiffError;
    std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(),
                                                                         TIFFOpenOptionsFree);
    TIFFOpenOptionsSetErrorHandlerExtR(options.get(), keepFirstError, &libtiffError);
    TIFFOpenOptionsSetWarningHandlerExtR(options.get(), ignoreWarning, nullptr);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), tmsize_t(1) << 30);
    MemoryFile file{&bytes, 0};
    const TiffHandle tif(TIFFClientOpenExt("image", "r", &file, readMemory, writeNothing,
                                           seekMemory, closeNothing, memorySize, mapMemory,
                                           unmapNothing, options.get()));
    const auto damaged = [&] {
        return refused(
            QStringLiteral("truncated or damaged TIFF file (%1)")
                .arg(libtiffError.isEmpty() ? QStringLiteral("could not decode") : libtiffError),
            true);
    };
    if (!tif) {
        return damaged();
    }
    const QVector<PageInfo> infos = readPageInfos(tif.get());
    const Layout layout = chooseLayout(infos);
    if (!layout.refusal.isEmpty()) {
        return refused(layout.refusal);
    }
    if (const QString tooLarge =
            sizeRefusal(infos[layout.pages.first()], int(layout.pages.size()), maxPixels);
        !tooLarge.isEmpty()) {
        return refused(tooLarge);
    }
    TiffReadResult result;
    for (const int pageNumber : layout.pages) {
        if (TIFFSetDirectory(tif.get(), tdir_t(pageNumber)) == 0) {
            return damaged();
        }
        RawImage page;
        QString error;
        if (!readPage(tif.get(), infos[pageNumber], &page, &error)) {
            return error.isEmpty() ? damaged() : refused(error);
        }
        if (result.image.channels == 0) {
            result.image = std::move(page);
        } else if (page.channels == 1 && page.type == result.image.type &&
                   page.width == result.image.width && page.height == result.image.height) {
            appendChannel(page, &result.image);
        } else {
            return refused(QStringLiteral("its pages differ, so they cannot be channels of one "
                                          "image; save one image per file"));
        }
    }
    result.ok = true;
    return result;
}

} // namespace studio
