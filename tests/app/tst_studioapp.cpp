// Tests of the classifier-studio executable's command line (run offscreen as a child process).
#include "common/version.h"

#include <QProcess>
#include <QtTest>

class TestStudioApp : public QObject
{
    Q_OBJECT

private:
    static QProcess* start(const QStringList& arguments)
    {
        auto* process = new QProcess;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process->setProcessEnvironment(env);
        process->start(QStringLiteral(STUDIO_GUI_PATH), arguments);
        return process;
    }

private Q_SLOTS:
    void version()
    {
        QScopedPointer<QProcess> process(start({QStringLiteral("--version")}));
        QVERIFY(process->waitForFinished(60000));
        QCOMPARE(process->exitCode(), 0);
        QCOMPARE(QString::fromUtf8(process->readAllStandardOutput()).trimmed(),
                 QStringLiteral("classifier-studio %1").arg(QString::fromLatin1(studio::kVersion)));
    }

    void help()
    {
        QScopedPointer<QProcess> process(start({QStringLiteral("--help")}));
        QVERIFY(process->waitForFinished(60000));
        QCOMPARE(process->exitCode(), 0);
        const QString out = QString::fromUtf8(process->readAllStandardOutput());
        QVERIFY2(out.contains(QLatin1String("DATASET")), qPrintable(out));
    }

    void unknownOptionFails()
    {
        QScopedPointer<QProcess> process(start({QStringLiteral("--no-such-option")}));
        QVERIFY(process->waitForFinished(60000));
        QVERIFY(process->exitCode() != 0);
        QVERIFY(QString::fromUtf8(process->readAllStandardError())
                    .contains(QLatin1String("no-such-option")));
    }
};

QTEST_GUILESS_MAIN(TestStudioApp)
#include "tst_studioapp.moc"
