// A main for the fuzz harnesses without libFuzzer: feeds every file of the given folders to
// LLVMFuzzerTestOneInput, so that CTest replays the committed corpus and regressions in every
// build (with g++, no sanitizers needed). Usage: fuzz_<target>_corpus CORPUS_DIR
// [REGRESSIONS_DIR]; the corpus folder must hold inputs, the regressions folder may be absent.
#include "fuzzcheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cstdio>

namespace {

// Runs every file of `dir` in name order; returns how many ran, or -1 when one was unreadable.
int runFolder(const QString& dir)
{
    const QFileInfoList files =
        QDir(dir).entryInfoList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
    int count = 0;
    for (const QFileInfo& info : files) {
        QFile file(info.filePath());
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "fuzz driver: cannot read %s: %s\n", qPrintable(info.filePath()),
                         qPrintable(file.errorString()));
            return -1;
        }
        const QByteArray bytes = file.readAll();
        std::fprintf(stderr, "fuzz driver: %s (%lld bytes)\n", qPrintable(info.filePath()),
                     static_cast<long long>(bytes.size()));
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.constData()),
                               size_t(bytes.size()));
        ++count;
    }
    return count;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [REGRESSIONS_DIR]\n", argv[0]);
        return 2;
    }
    const QString corpus = QString::fromLocal8Bit(argv[1]);
    const int corpusCount = QFileInfo(corpus).isDir() ? runFolder(corpus) : 0;
    if (corpusCount <= 0) {
        std::fprintf(stderr,
                     "fuzz driver: the seed corpus %s is missing, empty or unreadable; it is "
                     "committed under tests/fuzz/corpus/.\n",
                     argv[1]);
        return 1;
    }
    int regressionCount = 0;
    if (argc == 3 && QFileInfo(QString::fromLocal8Bit(argv[2])).isDir()) {
        regressionCount = runFolder(QString::fromLocal8Bit(argv[2]));
        if (regressionCount < 0) {
            return 1;
        }
    }
    std::printf("fuzz driver: %d corpus and %d regression inputs passed\n", corpusCount,
                regressionCount);
    return 0;
}
