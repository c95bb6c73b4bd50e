// Tests of the run report: a real run and a real cross-validation of the shapes dataset are
// reported as PDF and HTML, and the PDF's text (pdftotext) states the accuracy, class names,
// seeds and model checksum that the run's own files hold; the HTML embeds its images; bad
// input is refused without writing; classifier-cli report writes both formats.
#include "clirun.h"
#include "methodstext.h"
#include "runreport.h"
#include "runreportwriter.h"
#include "shapesdataset.h"
#include "shapesproject.h"

#include "runs/crossvalidation.h"
#include "testfiles.h"
#include "training/trainer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

using studio::testfiles::readAll;
using studio::testfiles::readJson;

// The PDF's text as pdftotext reads it, or a failure message when it cannot.
QString pdfText(const QString& pdf, QString* problem)
{
    QProcess process;
    process.start(QStringLiteral("pdftotext"),
                  {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        *problem =
            QStringLiteral("pdftotext could not read %1 (%2%3); it comes with "
                           "poppler-utils, which packaging/install-deps.sh installs.")
                .arg(pdf, process.errorString(), QString::fromUtf8(process.readAllStandardError()));
        return QString();
    }
    // NFKC: the ligatures pdftotext keeps ("ﬁ", "ﬄ") back to their letters.
    return QString::fromUtf8(process.readAllStandardOutput())
        .normalized(QString::NormalizationForm_KC);
}

QString percent(double fraction)
{
    return QStringLiteral("%1%").arg(fraction * 100, 0, 'f', 1);
}

// Text without white space and page numbers: a long value wraps over lines in a PDF table, and
// a row may continue on the next page.
QString squeezed(QString text)
{
    text.remove(QRegularExpression(QStringLiteral("\\n\\s*\\d+\\s*\\n\\f"))); // "   7\n\f"
    text.remove(QRegularExpression(QStringLiteral("\\s")));
    return text;
}

} // namespace

class TestRunReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_data.isValid() && m_out.isValid());
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 12, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 4, 2);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 6, 3);
        m_project = testdata::shapesProject(m_data.path(), 2);
        TrainOptions options;
        options.runDir = m_out.filePath(QStringLiteral("run"));
        const Result<TrainResult> trained = trainProject(m_project, options);
        QVERIFY2(trained.ok(), qPrintable(trained.ok() ? QString() : trained.error()));
        QCOMPARE(trained->ended.outcome, RunEndedEvent::Outcome::Finished);
        m_run = options.runDir;

        CrossValidationOptions cv;
        cv.outDir = m_out.filePath(QStringLiteral("cv"));
        cv.folds = 2;
        cv.epochs = 1;
        const Result<CrossValidationSummary> summary = crossValidate(m_project, cv);
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error()));
        m_crossValidation = cv.outDir;
    }

    void pdfStatesTheRunsOwnNumbers()
    {
        const QString pdf = m_out.filePath(QStringLiteral("report.pdf"));
        const Status written = writeRunReport(m_run, pdf);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QString problem;
        const QString text = pdfText(pdf, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        const QJsonObject evaluation =
            readJson(m_run + QStringLiteral("/evaluation/evaluation.json"));
        const double accuracy = evaluation[QStringLiteral("accuracy")].toDouble();
        QVERIFY2(text.contains(QStringLiteral("Accuracy: %1").arg(percent(accuracy))),
                 qPrintable(text));
        QVERIFY(
            text.contains(
                QStringLiteral("balanced accuracy of %1")
                    .arg(percent(evaluation[QStringLiteral("balanced_accuracy")].toDouble()))
                    .simplified()) ||
            squeezed(text).contains(squeezed(
                QStringLiteral("balanced accuracy of %1")
                    .arg(percent(evaluation[QStringLiteral("balanced_accuracy")].toDouble())))));
        for (const QJsonValue& name : evaluation[QStringLiteral("classes")].toArray()) {
            QVERIFY2(text.contains(name.toString()), qPrintable(name.toString()));
        }
        const QJsonObject project = readJson(m_run + QStringLiteral("/project.json"));
        const QString seed = QString::number(
            project[QStringLiteral("training")].toObject()[QStringLiteral("seed")].toInteger());
        QCOMPARE(seed, QStringLiteral("7"));
        QVERIFY(
            text.contains(QStringLiteral("with random seed %1.").arg(seed)) ||
            squeezed(text).contains(squeezed(QStringLiteral("with random seed %1.").arg(seed))));
        QVERIFY(squeezed(text).contains(QStringLiteral("Randomseed%1(initialweights").arg(seed)));

        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(readAll(m_run + QStringLiteral("/model.pt")));
        QVERIFY(squeezed(text).contains(QString::fromLatin1(hash.result().toHex())));
        // What the run recorded of its system, and the network's summary.
        QVERIFY(text.contains(QStringLiteral("LibTorch")));
        QVERIFY(text.contains(QStringLiteral("conv2d_1 (Conv2D)")));
        QVERIFY(text.contains(QStringLiteral("Methods")));
        QVERIFY(text.contains(QStringLiteral("ModelCheckpoint kept epoch")));
        // The saliency examples' captions: the most confident right answer comes first.
        const QJsonObject best = evaluation[QStringLiteral("correct")].toArray().first().toObject();
        const QString caption = QStringLiteral("Right: true %1, predicted %1 (%2)")
                                    .arg(best[QStringLiteral("true")].toString(),
                                         percent(best[QStringLiteral("confidence")].toDouble()));
        QVERIFY2(squeezed(text).contains(squeezed(caption)), qPrintable(caption));
        QVERIFY(squeezed(text).contains(QStringLiteral("Grad-CAMofthepredictedclass")));
    }

    void htmlIsSelfContained()
    {
        const QString html = m_out.filePath(QStringLiteral("report.html"));
        const Status written = writeRunReport(m_run, html);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY(!page.contains(QStringLiteral("src=\"report:")));
        // Loss, accuracy, the confusion matrix, ROC curves and calibration, and the saliency
        // examples (up to 4 right answers and up to 4 mistakes), each a PNG inside.
        const QJsonObject evaluation =
            readJson(m_run + QStringLiteral("/evaluation/evaluation.json"));
        const qsizetype right =
            qMin<qsizetype>(4, evaluation[QStringLiteral("correct")].toArray().size());
        const qsizetype wrong =
            qMin<qsizetype>(4, evaluation[QStringLiteral("misclassified")].toArray().size());
        QVERIFY(right + wrong > 0);
        QCOMPARE(page.count(QStringLiteral("<img src=\"data:image/png;base64,")),
                 5 + right + wrong);
        QCOMPARE(page.count(QStringLiteral("— Grad-CAM of the predicted class")), right + wrong);
        QVERIFY(
            page.contains(QStringLiteral("Accuracy: %1")
                              .arg(percent(evaluation[QStringLiteral("accuracy")].toDouble()))));
        QVERIFY(page.contains(QStringLiteral("<h2>Reproducibility</h2>")));
    }

    void methodsParagraphSaysHowItWasMade()
    {
        const Result<RunReport> run = readRunReport(m_run);
        QVERIFY(run.ok());
        QCOMPARE(run->history.size(), 2);
        QVERIFY(run->trainingSeconds > 0);
        QVERIFY(!run->environment.isEmpty());
        QCOMPARE(run->counts.size(), 3);
        QCOMPARE(run->counts[0], (QVector<int>{12, 4, 6})); // bars: train, validation, test
        const QString methods = methodsParagraph(*run, nullptr);
        QVERIFY2(methods.contains(QStringLiteral("classify RGB images into 3 classes")),
                 qPrintable(methods));
        QVERIFY(methods.contains(QStringLiteral("36 training, 12 validation and 18 test images")));
        QVERIFY(methods.contains(QStringLiteral("Adam")));
        QVERIFY(methods.contains(QStringLiteral("batch size 8 for 2 of 2 epochs")));
        QVERIFY(methods.contains(QStringLiteral("On the 18 held-out test images")));
    }

    void crossValidationStatesMeanAndSpread()
    {
        const QString pdf = m_out.filePath(QStringLiteral("cv.pdf"));
        const Status written = writeRunReport(m_crossValidation, pdf);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QString problem;
        const QString text = pdfText(pdf, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject summary = readJson(m_crossValidation + QStringLiteral("/crossval.json"));
        const QJsonObject accuracy = summary[QStringLiteral("accuracy")].toObject();
        const QString meanSd =
            QStringLiteral("%1 ± %2").arg(percent(accuracy[QStringLiteral("mean")].toDouble()),
                                          percent(accuracy[QStringLiteral("sd")].toDouble()));
        QVERIFY2(text.contains(meanSd), qPrintable(meanSd + QStringLiteral("\n") + text));
        QVERIFY(text.contains(QStringLiteral("fold 2")));
        QVERIFY(text.contains(QStringLiteral("2-fold cross-validation")) ||
                squeezed(text).contains(QStringLiteral("2-foldcross-validation")));
        const QString html = m_out.filePath(QStringLiteral("cv.html"));
        QVERIFY(writeRunReport(m_crossValidation, html).ok());
        QVERIFY(QString::fromUtf8(readAll(html)).contains(meanSd));
    }

    // Without the model file there are no saliency examples, and the report says why.
    void noModelNoSaliencyExamples()
    {
        QTemporaryDir copy;
        for (const QString& name : QDir(m_run).entryList(QDir::Files)) {
            if (name != QStringLiteral("model.pt")) {
                QVERIFY(QFile::copy(QDir(m_run).filePath(name), copy.filePath(name)));
            }
        }
        QVERIFY(QDir().mkpath(copy.filePath(QStringLiteral("evaluation"))));
        const QDir evaluation(m_run + QStringLiteral("/evaluation"));
        for (const QString& name : evaluation.entryList(QDir::Files)) {
            QVERIFY(QFile::copy(evaluation.filePath(name),
                                copy.filePath(QStringLiteral("evaluation/") + name)));
        }
        const QString html = m_out.filePath(QStringLiteral("no-model.html"));
        const Status written = writeRunReport(copy.path(), html);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY(page.contains(QStringLiteral("No saliency examples: the run has no model file.")));
        QCOMPARE(page.count(QStringLiteral("<img src=\"data:image/png;base64,")), 5);
    }

    void badInputIsRefusedWithoutWriting()
    {
        const QString out = m_out.filePath(QStringLiteral("never.pdf"));
        const Status missing = writeRunReport(m_out.filePath(QStringLiteral("nothing-here")), out);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QStringLiteral("is not a folder")),
                 qPrintable(missing.error()));
        const Status notRun = writeRunReport(m_data.path(), out);
        QVERIFY(!notRun.ok());
        QVERIFY2(notRun.error().contains(QStringLiteral("has no project.json")),
                 qPrintable(notRun.error()));
        const Status badSuffix = writeRunReport(m_run, m_out.filePath(QStringLiteral("r.docx")));
        QVERIFY(!badSuffix.ok());
        QVERIFY(badSuffix.error().contains(QStringLiteral(".pdf or .html")));
        QVERIFY(!QFile::exists(out));
        QVERIFY(!QFile::exists(m_out.filePath(QStringLiteral("r.docx"))));
    }

    void cliWritesBothFormats()
    {
        for (const QString& name : {QStringLiteral("cli.pdf"), QStringLiteral("cli.html")}) {
            const QString out = m_out.filePath(name);
            const testdata::CliRun run =
                testdata::runCli({QStringLiteral("report"), m_run, QStringLiteral("--out"), out});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            QVERIFY(run.out.contains(QStringLiteral("Report written to")));
            QVERIFY(QFileInfo(out).size() > 10000);
        }
        QVERIFY(readAll(m_out.filePath(QStringLiteral("cli.pdf"))).startsWith("%PDF"));
        const testdata::CliRun bad =
            testdata::runCli({QStringLiteral("report"), m_data.path(), QStringLiteral("--out"),
                              QStringLiteral("x.pdf")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("project.json")));
    }

private:
    QTemporaryDir m_data;
    QTemporaryDir m_out;
    Project m_project;
    QString m_run;
    QString m_crossValidation;
};

QTEST_MAIN(TestRunReport)
#include "tst_runreport.moc"
