// What the fuzz harnesses share: a check that prints the property an input broke and aborts,
// so that libFuzzer records the input as a finding and the CTest corpus driver fails.
#pragma once

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace studio::fuzz {

[[noreturn]] inline void failCheck(const char* file, int line, const char* condition,
                                   const QString& detail)
{
    std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n%s\n", file, line, condition,
                 detail.toUtf8().constData());
    std::fflush(stderr);
    std::abort();
}

// The fuzzer's bytes as the owning QByteArray that reading a file would give.
inline QByteArray inputBytes(const uint8_t* data, size_t size)
{
    return QByteArray(reinterpret_cast<const char*>(data), qsizetype(size));
}

} // namespace studio::fuzz

// Aborts with `detail` (a QString) when `condition` does not hold.
#define FUZZ_CHECK(condition, detail)                                                              \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            ::studio::fuzz::failCheck(__FILE__, __LINE__, #condition, (detail));                   \
        }                                                                                          \
    } while (false)

// The entry point every harness defines (libFuzzer's, also called by fuzzdriver.cpp).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
