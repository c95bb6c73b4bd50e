#include "sciencedataset.h"

#include <QDir>

#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace studio::testdata {

namespace {

int bytesOf(TiffSamples samples)
{
    return samples == TiffSamples::UInt8 ? 1 : samples == TiffSamples::Float32 ? 4 : 2;
}

// Stores one value at `out` in the sample type (integers rounded and clamped).
void storeSample(double value, TiffSamples samples, uint8_t* out)
{
    switch (samples) {
    case TiffSamples::UInt8:
        *out = uint8_t(std::clamp(std::lround(value), 0L, 255L));
        return;
    case TiffSamples::UInt16: {
        const auto v = uint16_t(std::clamp(std::lround(value), 0L, 65535L));
        std::memcpy(out, &v, 2);
        return;
    }
    case TiffSamples::Int16: {
        const auto v = int16_t(std::clamp(std::lround(value), -32768L, 32767L));
        std::memcpy(out, &v, 2);
        return;
    }
    case TiffSamples::Float32: {
        const auto v = float(value);
        std::memcpy(out, &v, 4);
        return;
    }
    }
}

// The header fields of one page of `samplesPerPixel` samples of width x height.
void setPageFields(TIFF* tif, const TiffSpec& spec, int width, int height, int samplesPerPixel)
{
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(width));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(height));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, uint16_t(samplesPerPixel));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, uint16_t(8 * bytesOf(spec.samples)));
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT,
                 uint16_t(spec.samples == TiffSamples::Float32 ? SAMPLEFORMAT_IEEEFP
                          : spec.samples == TiffSamples::Int16 ? SAMPLEFORMAT_INT
                                                               : SAMPLEFORMAT_UINT));
    TIFFSetField(
        tif, TIFFTAG_PLANARCONFIG,
        uint16_t(spec.layout == TiffLayout::Planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG));
    const int colour = spec.alpha ? samplesPerPixel - 1 : samplesPerPixel;
    const bool rgb = colour == 3 && !spec.minIsWhite;
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                 uint16_t(rgb               ? PHOTOMETRIC_RGB
                          : spec.minIsWhite ? PHOTOMETRIC_MINISWHITE
                                            : PHOTOMETRIC_MINISBLACK));
    const int extra = samplesPerPixel - (rgb ? 3 : 1);
    if (extra > 0) {
        std::vector<uint16_t> kinds(size_t(extra), EXTRASAMPLE_UNSPECIFIED);
        if (spec.alpha) {
            kinds.back() = EXTRASAMPLE_UNASSALPHA;
        }
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, uint16_t(extra), kinds.data());
    }
    if (spec.compressed) {
        TIFFSetField(tif, TIFFTAG_COMPRESSION, uint16_t(COMPRESSION_ADOBE_DEFLATE));
        TIFFSetField(tif, TIFFTAG_PREDICTOR,
                     uint16_t(spec.samples == TiffSamples::Float32 ? PREDICTOR_FLOATINGPOINT
                                                                   : PREDICTOR_HORIZONTAL));
    }
    if (spec.tiled) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, uint32_t(16));
        TIFFSetField(tif, TIFFTAG_TILELENGTH, uint32_t(16));
    } else {
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, uint32_t(7));
    }
}

// Writes one page whose samples are `plane(sample, x, y)`: strips or tiles, contiguous or
// planar as the spec says.
template <typename Sample>
bool writePage(TIFF* tif, const TiffSpec& spec, int width, int height, int samplesPerPixel,
               Sample sampleAt)
{
    const bool planar = spec.layout == TiffLayout::Planar && samplesPerPixel > 1;
    const int planes = planar ? samplesPerPixel : 1;
    const int perPixel = planar ? 1 : samplesPerPixel;
    const int bytes = bytesOf(spec.samples);
    for (int plane = 0; plane < planes; ++plane) {
        if (spec.tiled) {
            std::vector<uint8_t> tile(size_t(16 * 16 * perPixel * bytes), 0);
            for (int ty = 0; ty < height; ty += 16) {
                for (int tx = 0; tx < width; tx += 16) {
                    std::fill(tile.begin(), tile.end(), 0);
                    for (int y = ty; y < std::min(height, ty + 16); ++y) {
                        for (int x = tx; x < std::min(width, tx + 16); ++x) {
                            for (int s = 0; s < perPixel; ++s) {
                                const size_t at = size_t(((y - ty) * 16 + (x - tx)) * perPixel + s);
                                storeSample(sampleAt(planar ? plane : s, x, y), spec.samples,
                                            tile.data() + at * size_t(bytes));
                            }
                        }
                    }
                    if (TIFFWriteTile(tif, tile.data(), uint32_t(tx), uint32_t(ty), 0,
                                      uint16_t(plane)) < 0) {
                        return false;
                    }
                }
            }
            continue;
        }
        std::vector<uint8_t> row(size_t(width * perPixel * bytes));
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                for (int s = 0; s < perPixel; ++s) {
                    storeSample(sampleAt(planar ? plane : s, x, y), spec.samples,
                                row.data() + size_t((x * perPixel + s) * bytes));
                }
            }
            if (TIFFWriteScanline(tif, row.data(), uint32_t(y), uint16_t(plane)) < 0) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

bool writeTiff(const QString& path, const TiffSpec& spec, const std::vector<double>& values)
{
    TIFF* tif = TIFFOpen(QFile::encodeName(path).constData(), "w");
    if (tif == nullptr) {
        return false;
    }
    const bool pages = spec.layout == TiffLayout::Pages;
    const int pageCount = (pages ? spec.channels : 1) + spec.extraPages;
    const int samplesPerPixel = pages ? 1 : spec.channels;
    bool ok = true;
    for (int page = 0; ok && page < pageCount; ++page) {
        setPageFields(tif, spec, spec.width, spec.height, samplesPerPixel);
        if (page == 0 && !spec.description.isEmpty()) {
            TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, spec.description.toUtf8().constData());
        }
        const int first = pages ? page % spec.channels : 0;
        ok = writePage(tif, spec, spec.width, spec.height, samplesPerPixel,
                       [&](int s, int x, int y) {
                           return values[size_t((y * spec.width + x) * spec.channels + first + s)];
                       });
        ok = ok && TIFFWriteDirectory(tif) != 0;
    }
    if (ok && spec.reducedPage > 0) {
        setPageFields(tif, spec, spec.reducedPage, spec.reducedPage, samplesPerPixel);
        TIFFSetField(tif, TIFFTAG_SUBFILETYPE, uint32_t(FILETYPE_REDUCEDIMAGE));
        ok = writePage(tif, spec, spec.reducedPage, spec.reducedPage, samplesPerPixel,
                       [&](int s, int x, int y) {
                           return values[size_t((y * spec.width + x) * spec.channels + s)];
                       });
        ok = ok && TIFFWriteDirectory(tif) != 0;
    }
    TIFFClose(tif);
    return ok;
}

namespace {

// 1 inside a cell of `kind` (0 elongated, 1 ring, 2 round) centred at (cx, cy), soft-edged.
double cellAt(int kind, double x, double y, double cx, double cy, double angle, double size)
{
    const double dx = x - cx;
    const double dy = y - cy;
    const double u = dx * std::cos(angle) + dy * std::sin(angle);
    const double v = -dx * std::sin(angle) + dy * std::cos(angle);
    const auto edge = [](double d) { return std::clamp(0.5 - d, 0.0, 1.0); };
    if (kind == 1) {
        const double r = std::hypot(u, v);
        return edge(std::abs(r - size) - 1.5);
    }
    const double a = kind == 0 ? size * 1.5 : size;
    const double b = kind == 0 ? size * 0.4 : size * 0.95;
    const double r = std::hypot(u / a, v / b);
    return edge((r - 1.0) * std::min(a, b));
}

// One image of class `kind`: channels x (background noise + cells).
std::vector<double> cellImage(const ScienceCells& o, int kind, std::mt19937& random)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double full = o.samples == TiffSamples::Float32 ? 1.0
                        : o.samples == TiffSamples::UInt8 ? 255.0
                                                          : 65535.0;
    const double peak = o.brightest * full;
    std::vector<double> values(size_t(o.width * o.height * o.channels));
    for (double& v : values) {
        v = peak * (0.05 + 0.1 * unit(random));
    }
    const double scale = std::min(o.width, o.height) / 96.0;
    const int cells = 1 + int(unit(random) * 3);
    for (int k = 0; k < cells; ++k) {
        const double cx = 20 * scale + unit(random) * (o.width - 40 * scale);
        const double cy = 20 * scale + unit(random) * (o.height - 40 * scale);
        const double angle = unit(random) * M_PI;
        const double size = (9 + 3 * unit(random)) * scale;
        const double brightness = peak * (0.6 + 0.4 * unit(random));
        for (int c = 0; c < o.channels; ++c) {
            const int shape = o.classChannel < 0 || c == o.classChannel ? kind : 2;
            for (int y = 0; y < o.height; ++y) {
                for (int x = 0; x < o.width; ++x) {
                    const double inside = cellAt(shape, x, y, cx, cy, angle, size);
                    if (inside > 0) {
                        values[size_t((y * o.width + x) * o.channels + c)] += brightness * inside;
                    }
                }
            }
        }
    }
    return values;
}

} // namespace

void makeScienceCells(const QString& root, const ScienceCells& options)
{
    const QStringList classes = {QStringLiteral("elongated"), QStringLiteral("ring"),
                                 QStringLiteral("round")};
    std::mt19937 random(options.seed);
    TiffSpec spec;
    spec.width = options.width;
    spec.height = options.height;
    spec.channels = options.channels;
    spec.samples = options.samples;
    spec.layout = options.layout;
    spec.compressed = true;
    for (int c = 0; c < classes.size(); ++c) {
        const QString dir = root + QLatin1Char('/') + classes[c];
        QDir().mkpath(dir);
        for (int i = 0; i < options.perClass; ++i) {
            writeTiff(
                QStringLiteral("%1/%2_%3.tif").arg(dir, classes[c]).arg(i, 3, 10, QLatin1Char('0')),
                spec, cellImage(options, c, random));
        }
    }
}

} // namespace studio::testdata
