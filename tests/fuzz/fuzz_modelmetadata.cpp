// Fuzz target: the model-metadata reader, modelMetadataFromBytes() (metadata.json inside an
// exported .pt). For any bytes it returns metadata or a message naming the model file, never
// crashes; metadata it accepts, written again by modelMetadataToBytes() as the exporter does,
// reads back with the same values.
#include "fuzzcheck.h"

#include "export/modelmetadata.h"

#include <QJsonDocument>

namespace {

QString describe(const studio::ModelMetadata& m)
{
    return QString::fromUtf8(studio::modelMetadataToBytes(m)) +
           QStringLiteral("\nformat_version in memory: %1").arg(m.formatVersion);
}

bool sameMetadata(const studio::ModelMetadata& a, const studio::ModelMetadata& b)
{
    return a.formatVersion == b.formatVersion && a.classes == b.classes && a.input == b.input &&
           a.interpolation == b.interpolation && a.model == b.model && a.epochs == b.epochs &&
           a.finalMetrics == b.finalMetrics && a.appVersion == b.appVersion &&
           a.created == b.created;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace studio;
    const QByteArray bytes = fuzz::inputBytes(data, size);
    const QString source = QStringLiteral("'fuzz-model.pt'");

    const Result<ModelMetadata> metadata = modelMetadataFromBytes(bytes, source);
    if (!metadata) {
        FUZZ_CHECK(metadata.error().startsWith(source), metadata.error());
        return 0;
    }
    FUZZ_CHECK(metadata->formatVersion >= 1 && metadata->formatVersion <= kModelFormatVersion,
               describe(*metadata));
    FUZZ_CHECK(metadata->classes.size() >= 2, describe(*metadata));

    const QByteArray written = modelMetadataToBytes(*metadata);
    const Result<ModelMetadata> reread = modelMetadataFromBytes(written, source);
    FUZZ_CHECK(reread.ok(), reread.error() + QStringLiteral("\nwritten:\n") + written);
    FUZZ_CHECK(sameMetadata(*reread, *metadata),
               describe(*metadata) + QStringLiteral("\nread back as:\n") + describe(*reread));
    return 0;
}
