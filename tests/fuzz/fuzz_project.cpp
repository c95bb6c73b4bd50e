// Fuzz target: the project-file loader, projectFromJson(). For any bytes it returns a project or
// a message naming the file, never crashes; the layer stack of a loaded project can be
// summarized (as the Model page and classifier-cli do next); and a loaded project, written with
// projectToJson(), reads back as the same project and is written again byte for byte.
#include "fuzzcheck.h"

#include "model/modelsummary.h"
#include "project/project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace studio;
    const QByteArray bytes = fuzz::inputBytes(data, size);
    const QString source = QStringLiteral("The project file 'fuzz.json'");

    const Result<LoadedProject> loaded = projectFromJson(bytes, QString(), source);
    if (!loaded) {
        FUZZ_CHECK(loaded.error().startsWith(source), loaded.error());
        return 0;
    }
    const Project& project = loaded->project;

    const ModelSummary summary = summarizeModel(project.model, inputShapeFor(project.dataset), 10,
                                                project.training.batchSize);
    formatSummaryTable(summary, QStringLiteral("fuzz"));
    summaryToJson(summary);

    const QByteArray written = projectToJson(project);
    const Result<LoadedProject> reread = projectFromJson(written, QString(), source);
    FUZZ_CHECK(reread.ok(), reread.error() + QStringLiteral("\nwritten:\n") + written);
    FUZZ_CHECK(sameProject(reread->project, project), QString::fromUtf8(written));
    const QByteArray rewritten = projectToJson(reread->project);
    FUZZ_CHECK(rewritten == written, QString::fromUtf8(written + "\nthen:\n" + rewritten));

    // A relative dataset root is resolved against the project file's folder.
    const Result<LoadedProject> based =
        projectFromJson(bytes, QStringLiteral("/fuzz/projects"), source);
    FUZZ_CHECK(based.ok(), based.error());
    projectToJson(based->project, QStringLiteral("/fuzz/projects"));
    return 0;
}
