// Tests that hostile model files are messages, never crashes or hangs, through every door a model
// enters: loadModelFile, Predictor::load, evaluateModel and `classifier-cli predict/evaluate
// --model` (exit code 2, the file named on stderr). tst_torchscript covers missing, empty, text,
// truncated and LibTorch-made files and some bad metadata for loadModelFile; tst_cli_evaluate the
// text, truncated and missing ones for the CLI. This adds a TorchScript file made by Python, every
// kind of malformed metadata, a damaged byte, a zip that is not TorchScript, a folder, a named
// pipe and a huge sparse file; and images the predictor cannot read.
#include "evaluation/evaluator.h"
#include "export/exporter_p.h"
#include "export/predictor.h"
#include "model/modelbuilder_p.h"

#include "../dataset/datasetfixtures.h"
#include "clirun.h"
#include "pythondeps.h"
#include "watchdog.h"

#include <torch/nn.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

using namespace studio;
using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

using studio::testdata::Watchdog;

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray le16(quint32 v)
{
    return QByteArray(1, char(v)) + QByteArray(1, char(v >> 8));
}

QByteArray le32(quint32 v)
{
    return le16(v & 0xffff) + le16(v >> 16);
}

// A valid zip archive with one stored file: a zip, but not TorchScript.
QByteArray zipWithOneFile(const QByteArray& name, const QByteArray& data)
{
    const quint32 crc =
        quint32(crc32(0L, reinterpret_cast<const Bytef*>(data.constData()), uInt(data.size())));
    const QByteArray common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) +
                              le32(quint32(data.size())) + le32(quint32(data.size())) +
                              le16(quint32(name.size())) + le16(0);
    const QByteArray local = QByteArray("PK\x03\x04", 4) + common + name + data;
    const QByteArray central = QByteArray("PK\x01\x02", 4) + le16(20) + common + le16(0) + le16(0) +
                               le16(0) + le32(0) + le32(0) + name;
    return local + central + QByteArray("PK\x05\x06", 4) + le16(0) + le16(0) + le16(1) + le16(1) +
           le32(quint32(central.size())) + le32(quint32(local.size())) + le16(0);
}

// Where the data of the archive member whose name ends with `suffix` starts, or -1.
qint64 zipMemberData(const QByteArray& zip, const QByteArray& suffix)
{
    const auto* d = reinterpret_cast<const uchar*>(zip.constData());
    const auto u16 = [&](qint64 at) { return qint64(d[at]) | qint64(d[at + 1]) << 8; };
    const auto u32 = [&](qint64 at) { return u16(at) | u16(at + 2) << 16; };
    const qint64 end = zip.lastIndexOf(QByteArray("PK\x05\x06", 4));
    if (end < 0) {
        return -1;
    }
    qint64 at = u32(end + 16);
    for (qint64 i = 0; i < u16(end + 10); ++i) {
        const QByteArray name = zip.mid(at + 46, u16(at + 28));
        const qint64 local = u32(at + 42);
        if (name.endsWith(suffix)) {
            return local + 30 + u16(local + 26) + u16(local + 28);
        }
        at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32);
    }
    return -1;
}

qint64 peakMiB(int who = RUSAGE_SELF)
{
    rusage usage{};
    getrusage(who, &usage);
    return qint64(usage.ru_maxrss) / 1024;
}

} // namespace

class TestHostileModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(5);
        // A dataset with the model's classes, for evaluate and predict.
        m_data = m_dir.filePath(QStringLiteral("data"));
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("test")}) {
            for (int i = 0; i < 4; ++i) {
                QVERIFY(fixtures::writePattern(
                    m_data + QStringLiteral("/%1/%2/%3.png")
                                 .arg(split, i % 2 ? QStringLiteral("B") : QStringLiteral("A"))
                                 .arg(i),
                    i + (split == QLatin1String("test") ? 10 : 0)));
            }
        }
        m_image = m_data + QStringLiteral("/test/A/0.png");

        // A good model: its archive is the base of the bad ones.
        ModelSpec model;
        model.layers = {LayerSpec::flatten(), LayerSpec::dense(2, Activation::Softmax)};
        DatasetSettings settings;
        settings.imageSize = 8;
        settings.colorMode = ColorMode::Grayscale;
        m_metadata = makeModelMetadata(model, settings, {QStringLiteral("A"), QStringLiteral("B")});
        Result<torch::nn::Sequential> built = buildModule(model, {8, 8, 1}, 2);
        QVERIFY(built.ok());
        Result<torch::jit::Module> scripted = scriptModule(*built, m_metadata);
        QVERIFY2(scripted.ok(), qPrintable(scripted.error()));
        m_scripted = *scripted;
        m_good = m_dir.filePath(QStringLiteral("good.pt"));
        QVERIFY(saveTorchScript(m_scripted, m_metadata, m_good).ok());
        const Result<EvaluationMetrics> evaluated = evaluateModel(m_good, m_data);
        QVERIFY2(evaluated.ok(), qPrintable(evaluated.error()));
    }

    void badModelFile_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("words");
        QTest::addColumn<bool>("cli"); // also through classifier-cli (a second or two each)
        const auto row = [](const char* name, const char* kind, const char* words, bool cli) {
            QTest::newRow(name) << QString::fromUtf8(kind) << QString::fromUtf8(words) << cli;
        };
        row("python torchscript", "python", "no metadata.json", true);
        row("libtorch without metadata", "nometadata", "no metadata.json", false);
        row("empty metadata.json", "metadata:", "no metadata.json", false);
        row("bad json", "metadata:{\"format\": ", "not a JSON object", true);
        row("json array", "metadata:[1, 2]", "not a JSON object", false);
        row("foreign format", "edit:format=\"other\"", "classifier-studio-model", false);
        row("classes missing", "edit:classes", "no \"classes\" list", false);
        row("classes a string", "edit:classes=\"A,B\"", "no \"classes\" list", false);
        row("class names numbers", "edit:classes=[1,2]", "class name", false);
        row("one class", "edit:classes=[\"A\"]", "fewer than two classes", false);
        row("image_size a string", "edit:image_size=\"8\"", "image_size", false);
        row("image_size huge", "edit:image_size=1e9", "image_size", false);
        row("format_version a string", "edit:format_version=\"1\"", "format_version", false);
        row("format_version newer", "edit:format_version=3", "newer Classifier Studio", true);
        row("format_version huge", "edit:format_version=1e10", "newer Classifier Studio", false);
        row("color_mode a number", "edit:color_mode=3", "color_mode", false);
        row("rescale a string", "edit:rescale=\"1/255\"", "rescale", false);
        row("layers not a list", "edit:layers=\"Dense\"", "layer stack", false);
        row("layers wrong", "edit:layers=[{\"type\":\"Dense\",\"units\":-3}]", "layer", false);
        row("metadata of another network", "edit:image_size=9", "does not run", false);
        row("damaged byte", "damaged", "constants.pkl", true);
        row("zip, not torchscript", "zip", "could not be read as a TorchScript", false);
        row("folder", "folder", "is a folder", true);
        row("named pipe", "fifo", "not a regular file", true);
        row("huge sparse file", "sparse", "not a model file", false);
    }

    void badModelFile()
    {
        QFETCH(QString, kind);
        QFETCH(QString, words);
        QFETCH(bool, cli);
        QString missing;
        const QString path = makeBadModel(kind, &missing);
        if (path.isEmpty()) {
            if (QTest::currentTestFailed()) {
                return;
            }
            if (!missing.isEmpty()) {
                STUDIO_MISSING_DEPENDENCY(missing);
            }
            QFAIL(qPrintable(QStringLiteral("could not make the bad model file '%1' in %2")
                                 .arg(kind, m_dir.path())));
        }
        const qint64 peakBefore = peakMiB();
        {
            const Watchdog watchdog(QStringLiteral("loading ") + path, 60);
            const Result<LoadedModel> loaded = loadModelFile(path);
            QVERIFY2(!loaded.ok(), qPrintable(path));
            QVERIFY2(loaded.error().contains(path) && loaded.error().contains(words),
                     qPrintable(loaded.error()));
            const Result<Predictor> predictor = Predictor::load(path);
            QVERIFY(!predictor.ok());
            QCOMPARE(predictor.error(), loaded.error());
            const Result<EvaluationMetrics> evaluated = evaluateModel(path, m_data);
            QVERIFY(!evaluated.ok());
            QCOMPARE(evaluated.error(), loaded.error());
        }
        QVERIFY2(peakMiB() - peakBefore < 256,
                 qPrintable(
                     QStringLiteral("the peak memory grew by %1 MiB").arg(peakMiB() - peakBefore)));
        if (!cli) {
            return;
        }
        const QVector<QStringList> commands = {
            {QStringLiteral("predict"), QStringLiteral("--model"), path, m_image},
            {QStringLiteral("evaluate"), QStringLiteral("--model"), path, QStringLiteral("--data"),
             m_data}};
        for (const QStringList& arguments : commands) {
            const CliRun run = runCli(arguments, 180000);
            const QString said = arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.err;
            QVERIFY2(run.exitCode == 2, qPrintable(said));
            QVERIFY2(run.err.contains(path) && run.err.contains(words), qPrintable(said));
            QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
        }
    }

    // Images the predictor cannot use, beside a good one: a line each, exit code 1, no hang.
    void predictHostileImages()
    {
        const QString dir = m_dir.filePath(QStringLiteral("images"));
        QVERIFY(QDir().mkpath(dir));
        const QString pipe = dir + QStringLiteral("/pipe.png");
        QVERIFY(::mkfifo(QFile::encodeName(pipe).constData(), 0644) == 0);
        const QString device = dir + QStringLiteral("/zero.png");
        QVERIFY(QFile::link(QStringLiteral("/dev/zero"), device));
        const QString folder = dir + QStringLiteral("/folder.jpg");
        QVERIFY(QDir().mkpath(folder));
        const QString huge = dir + QStringLiteral("/huge.png");
        QByteArray png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\x01\x86\xa0\0\x01\x86\xa0\x08\x02\0\0\0",
                       29); // 100000 x 100000
        const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(png.constData() + 12), 17);
        png += QByteArray(1, char(crc >> 24)) + QByteArray(1, char(crc >> 16)) +
               QByteArray(1, char(crc >> 8)) + QByteArray(1, char(crc));
        png += QByteArray("\0\0\0\0IEND\xae\x42\x60\x82", 12);
        QVERIFY(writeBytes(huge, png));

        Result<Predictor> predictor = Predictor::load(m_good);
        QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
        const QStringList files = {m_image, pipe, device, folder, huge};
        QVector<Prediction> predictions;
        {
            const Watchdog watchdog(QStringLiteral("predicting hostile images"), 60);
            predictions = predictor->predictFiles(files, PredictOptions());
        }
        QCOMPARE(predictions.size(), files.size());
        QVERIFY2(predictions[0].ok(), qPrintable(predictions[0].error));
        QVERIFY2(predictions[1].error.contains(QLatin1String("not a regular file")),
                 qPrintable(predictions[1].error));
        QVERIFY2(predictions[2].error.contains(QLatin1String("not a regular file")),
                 qPrintable(predictions[2].error));
        QVERIFY2(predictions[3].error.contains(QLatin1String("a folder")),
                 qPrintable(predictions[3].error));
        QVERIFY2(predictions[4].error.contains(QLatin1String("100000x100000 pixels is too large")),
                 qPrintable(predictions[4].error));

        const CliRun run = runCli({QStringLiteral("predict"), QStringLiteral("--model"), m_good,
                                   m_image, pipe, device, huge},
                                  180000);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains(pipe + QStringLiteral(": error: not a regular file")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(device + QStringLiteral(": error: not a regular file")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(huge + QStringLiteral(": error: image of 100000x100000")),
                 qPrintable(run.out));
        QVERIFY2(run.err.contains(QLatin1String("3 of 4 files could not be classified")),
                 qPrintable(run.err));
    }

private:
    // Makes the bad model file of `kind` (see badModelFile_data) and returns its path; empty
    // when it cannot be made here, with *missing saying which dependency is missing, if that is
    // why.
    QString makeBadModel(const QString& kind, QString* missing)
    {
        const QString path =
            m_dir.filePath(QStringLiteral("bad-%1.pt").arg(QString::number(qHash(kind), 16)));
        const auto archive = [&](const std::function<void(torch::jit::ExtraFilesMap&)>& extra) {
            std::ostringstream out;
            torch::jit::ExtraFilesMap files;
            extra(files);
            m_scripted.save(out, files);
            const std::string s = out.str();
            return writeBytes(path, QByteArray(s.data(), qsizetype(s.size()))) ? path : QString();
        };
        if (kind == QLatin1String("python")) {
            // torch.jit.script reads the module's source, so the script has to be a file.
            const QString script = m_dir.filePath(QStringLiteral("tiny.py"));
            if (!writeBytes(script,
                            "import sys, torch\n"
                            "class Tiny(torch.nn.Module):\n"
                            "    def __init__(self):\n"
                            "        super().__init__()\n"
                            "        self.linear = torch.nn.Linear(64, 2)\n"
                            "    def forward(self, x):\n"
                            "        return torch.softmax(self.linear(torch.flatten(x, 1)), 1)\n"
                            "torch.jit.script(Tiny()).save(sys.argv[1])\n")) {
                QTest::qFail("could not write tiny.py", __FILE__, __LINE__);
                return {};
            }
            *missing = studio::testdata::missingPythonModules({QStringLiteral("torch")});
            if (!missing->isEmpty()) {
                return {};
            }
            QProcess python;
            python.setProcessChannelMode(QProcess::MergedChannels);
            python.start(studio::testdata::pythonInterpreter(), {script, path});
            if (!python.waitForFinished(120000) || python.exitCode() != 0) {
                QTest::qFail(python.readAll().constData(), __FILE__, __LINE__);
                return {};
            }
            return path;
        }
        if (kind == QLatin1String("nometadata")) {
            return archive([](torch::jit::ExtraFilesMap&) {});
        }
        if (kind.startsWith(QLatin1String("metadata:"))) {
            const std::string json = kind.mid(9).toStdString();
            return archive(
                [&](torch::jit::ExtraFilesMap& files) { files["metadata.json"] = json; });
        }
        if (kind.startsWith(QLatin1String("edit:"))) {
            // edit:key removes the key, edit:key=JSON sets it.
            QJsonObject json = modelMetadataToJson(m_metadata);
            const QString edit = kind.mid(5);
            const QString key = edit.section(QLatin1Char('='), 0, 0);
            if (edit.contains(QLatin1Char('='))) {
                const QByteArray value = edit.section(QLatin1Char('='), 1).toUtf8();
                const QJsonDocument wrapped = QJsonDocument::fromJson("[" + value + "]");
                if (wrapped.array().size() != 1) {
                    QTest::qFail(value.constData(), __FILE__, __LINE__);
                    return {};
                }
                json.insert(key, wrapped.array().first());
            } else {
                json.remove(key);
            }
            const std::string bytes = QJsonDocument(json).toJson().toStdString();
            return archive(
                [&](torch::jit::ExtraFilesMap& files) { files["metadata.json"] = bytes; });
        }
        if (kind == QLatin1String("damaged")) {
            // One byte of the constants' pickle changed from EMPTY_TUPLE to TUPLE3: LibTorch's
            // unpickler, which skips the zip checksums, pops from an empty stack and crashes.
            QByteArray bytes = readBytes(m_good);
            const qint64 at = zipMemberData(bytes, "constants.pkl");
            if (at < 0 || bytes.mid(at, 4) != QByteArray("\x80\x02\x29\x2e", 4)) {
                QTest::qFail("constants.pkl is not the expected empty tuple", __FILE__, __LINE__);
                return {};
            }
            bytes[at + 2] = '\x87';
            return writeBytes(path, bytes) ? path : QString();
        }
        if (kind == QLatin1String("zip")) {
            return writeBytes(path, zipWithOneFile("notes.txt", "a zip archive, not a model\n"))
                       ? path
                       : QString();
        }
        if (kind == QLatin1String("folder")) {
            return QDir().mkpath(path) ? path : QString();
        }
        if (kind == QLatin1String("fifo")) {
            return ::mkfifo(QFile::encodeName(path).constData(), 0644) == 0 ? path : QString();
        }
        if (kind == QLatin1String("sparse")) {
            QFile file(path); // 8 GiB of zeros that take no disk space
            return file.open(QIODevice::WriteOnly) && file.resize(qint64(8) << 30) ? path
                                                                                   : QString();
        }
        return {};
    }

    QTemporaryDir m_dir;
    QString m_data;
    QString m_image;
    QString m_good;
    ModelMetadata m_metadata;
    torch::jit::Module m_scripted;
};

QTEST_GUILESS_MAIN(TestHostileModels)
#include "tst_hostilemodels.moc"
