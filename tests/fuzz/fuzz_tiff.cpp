// Fuzz target: the TIFF reader (readTiff, core/dataset/tiffreader), whose bytes come from any
// microscope or camera. Either an image whose samples account for every byte of its buffer,
// with 1 to kMaxTiffChannels channels and no more pixels than the limit, or a sentence saying
// why not; never a crash. Reading the same bytes twice gives the same image.
#include "fuzzcheck.h"

#include "dataset/rawimage.h"
#include "dataset/tiffreader.h"

namespace {

// Small enough that a fuzzed header cannot make an input take seconds.
constexpr qint64 kPixelLimit = qint64(1) << 20;

void checkImage(const studio::RawImage& image, const QString& context)
{
    FUZZ_CHECK(image.width > 0 && image.height > 0, context);
    FUZZ_CHECK(image.channels >= 1 && image.channels <= studio::kMaxTiffChannels, context);
    FUZZ_CHECK(!image.alpha || image.channels >= 2, context);
    FUZZ_CHECK(qint64(image.width) * image.height <= kPixelLimit, context);
    FUZZ_CHECK(image.data.size() == size_t(image.width) * size_t(image.height) *
                                        size_t(image.channels) * size_t(image.bytesPerSample()),
               context);
    const studio::ImageFormat format = studio::describeImage(image);
    FUZZ_CHECK(format.channels == image.dataChannels() && format.width == image.width, context);
    FUZZ_CHECK(studio::countNonFinite(image) <= qint64(image.data.size()), context);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace studio;
    const QByteArray bytes = fuzz::inputBytes(data, size);
    const TiffReadResult first = readTiff(bytes, kPixelLimit);
    const QString context = QStringLiteral("readTiff of %1 bytes").arg(bytes.size());
    if (first.ok) {
        checkImage(first.image, context);
    } else {
        FUZZ_CHECK(!first.error.isEmpty(), context);
    }
    const TiffReadResult second = readTiff(bytes, kPixelLimit);
    FUZZ_CHECK(second.ok == first.ok && second.error == first.error &&
                   second.image.data == first.image.data,
               QStringLiteral("two reads of the same bytes differ"));
    return 0;
}
