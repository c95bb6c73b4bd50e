// Tests of Result and Status: values and failures, and that reading the value of a failure
// stops the program with the failure's message instead of reading an empty optional.
#include "common/result.h"

#include <QCoreApplication>
#include <QProcess>
#include <QtTest>

using namespace studio;

namespace {

const char kReadAFailure[] = "--read-the-value-of-a-failure";

Result<int> half(int n)
{
    if (n % 2 != 0) {
        return Failure{QStringLiteral("%1 is odd: give an even number.").arg(n)};
    }
    return n / 2;
}

} // namespace

class TestResult : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesAndFailures()
    {
        const Result<int> four = half(8);
        QVERIFY(four.ok());
        QCOMPARE(*four, 4);
        const Result<int> odd = half(3);
        QVERIFY(!odd);
        QCOMPARE(odd.error(), QStringLiteral("3 is odd: give an even number."));
        const Status done;
        QVERIFY(done.ok());
        const Status failed = Failure{QStringLiteral("no")};
        QVERIFY(!failed && failed.error() == QLatin1String("no"));
    }

    // In a child process (this test run with kReadAFailure): value() on a failure ends it with
    // the message, in every build type.
    void readingTheValueOfAFailureStops()
    {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QLatin1String(kReadAFailure)});
        QVERIFY(child.waitForFinished(30000));
        const QString errors = QString::fromLocal8Bit(child.readAllStandardError());
        QVERIFY2(child.exitStatus() == QProcess::CrashExit || child.exitCode() != 0,
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("Result::value() read on a failure: 3 is odd")),
                 qPrintable(errors));
        QVERIFY2(!errors.contains(QLatin1String("not reached")), qPrintable(errors));
    }
};

int main(int argc, char** argv)
{
    if (argc == 2 && qstrcmp(argv[1], kReadAFailure) == 0) {
        const Result<int> odd = half(3);
        std::fprintf(stderr, "%d\n", odd.value());
        std::fprintf(stderr, "not reached\n");
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestResult test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_result.moc"
