// What a run was made with: the versions of the app and its libraries, the operating system,
// the processor and the BLAS, recorded in each run so that a report can state them.
#pragma once

#include <QJsonObject>
#include <QString>

namespace studio {

// The software and machine of this process (or, read back, of the process that made a run).
struct RunEnvironment
{
    QString app;      // "Classifier Studio 0.1.0"
    QString libtorch; // "1.13.1"
    QString opencv;   // "4.6.0"
    QString qt;       // "6.4.2" (the Qt this process runs on)
    QString os;       // "Debian GNU/Linux 12 (bookworm), Linux 6.1.0-18-amd64"
    QString cpu;      // "Intel(R) Xeon(R) CPU @ 2.20GHz, 2 cores"
    QString blas;     // "OpenBLAS 0.3.21 (OpenMP threads)"

    bool isEmpty() const { return app.isEmpty(); }
};

// This process's environment (the processor from /proc/cpuinfo where there is one).
RunEnvironment currentEnvironment();

// {"app", "libtorch", "opencv", "qt", "os", "cpu", "blas"}
QJsonObject environmentToJson(const RunEnvironment& environment);
// Missing keys stay empty (a run made before they were recorded has none).
RunEnvironment environmentFromJson(const QJsonObject& json);

// True when the processor computes in bfloat16 natively (AVX-512 BF16 or AMX, from
// /proc/cpuinfo's flags): where mixed bfloat16 training pays. False where it cannot be told.
bool cpuHasBFloat16Instructions();

// "Classifier Studio 0.1.0, LibTorch 1.13.1, OpenCV 4.6.0, Qt 6.4.2": the software, one line.
QString describeSoftware(const RunEnvironment& environment);
// "Debian GNU/Linux 12 (bookworm), Linux 6.1; Intel(R) Xeon(R) ..., 2 cores": the machine.
QString describeMachine(const RunEnvironment& environment);

} // namespace studio
