#include "common/environment.h"

#include "common/blaslibrary.h"
#include "common/version.h"

#include <QFile>
#include <QSysInfo>
#include <QThread>

#include <opencv2/core/version.hpp>
#include <torch/version.h>

namespace studio {

namespace {

// The value of the first processor's `key` line in /proc/cpuinfo ("model name", "flags"), or
// an empty string where there is none.
QByteArray cpuinfoValue(const QByteArray& key)
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly | QIODevice::Text)) {
        for (const QByteArray& line : cpuinfo.readAll().split('\n')) {
            const int colon = int(line.indexOf(':'));
            if (colon > 0 && line.left(colon).trimmed() == key) {
                return line.mid(colon + 1).simplified();
            }
        }
    }
    return {};
}

// The processor's name from /proc/cpuinfo ("model name"), else the architecture.
QString processorName()
{
    const QByteArray name = cpuinfoValue("model name");
    return name.isEmpty() ? QSysInfo::currentCpuArchitecture() : QString::fromUtf8(name);
}

const char* const kKeys[] = {"app", "libtorch", "opencv", "qt", "os", "cpu", "blas"};

QString* field(RunEnvironment* e, int index)
{
    QString* fields[] = {&e->app, &e->libtorch, &e->opencv, &e->qt, &e->os, &e->cpu, &e->blas};
    return fields[index];
}

} // namespace

RunEnvironment currentEnvironment()
{
    RunEnvironment e;
    e.app = QStringLiteral("%1 %2").arg(QString::fromLatin1(kProductName),
                                        QString::fromLatin1(kVersion));
    e.libtorch = QStringLiteral(TORCH_VERSION);
    e.opencv = QStringLiteral(CV_VERSION);
    e.qt = QString::fromLatin1(qVersion());
    e.os =
        QStringLiteral("%1, %2 %3")
            .arg(QSysInfo::prettyProductName(), QSysInfo::kernelType(), QSysInfo::kernelVersion());
    e.cpu = QStringLiteral("%1, %2 cores").arg(processorName()).arg(QThread::idealThreadCount());
    e.blas = loadedBlasLibrary().name;
    return e;
}

QJsonObject environmentToJson(const RunEnvironment& environment)
{
    RunEnvironment copy = environment;
    QJsonObject json;
    for (int i = 0; i < int(std::size(kKeys)); ++i) {
        json.insert(QLatin1String(kKeys[i]), *field(&copy, i));
    }
    return json;
}

RunEnvironment environmentFromJson(const QJsonObject& json)
{
    RunEnvironment e;
    for (int i = 0; i < int(std::size(kKeys)); ++i) {
        *field(&e, i) = json.value(QLatin1String(kKeys[i])).toString();
    }
    return e;
}

bool cpuHasBFloat16Instructions()
{
    static const bool has = [] {
        const QList<QByteArray> flags = cpuinfoValue("flags").split(' ');
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }();
    return has;
}

QString describeSoftware(const RunEnvironment& e)
{
    return QStringLiteral("%1, LibTorch %2, OpenCV %3, Qt %4")
        .arg(e.app, e.libtorch, e.opencv, e.qt);
}

QString describeMachine(const RunEnvironment& e)
{
    return QStringLiteral("%1; %2").arg(e.os, e.cpu);
}

} // namespace studio
