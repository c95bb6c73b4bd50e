// Tests of the trainer's advice: each code fires on a constructed run that has its problem, once,
// and none fires on healthy runs.
#include "training/advice.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace studio;

namespace {

struct Epoch
{
    double loss, accuracy, valLoss, valAccuracy;
};

History historyOf(std::initializer_list<Epoch> epochs)
{
    History history;
    int i = 0;
    for (const Epoch& e : epochs) {
        EpochRecord record;
        record.epoch = i++;
        record.metrics.loss = e.loss;
        record.metrics.accuracy = e.accuracy;
        record.metrics.valLoss = e.valLoss;
        record.metrics.valAccuracy = e.valAccuracy;
        record.learningRate = 0.001;
        if (!history.append(record)) {
            qFatal("bad history");
        }
    }
    return history;
}

// Three classes, 10 validation images each; `correct` of each recognised.
EpochFacts factsOf(QVector<qint64> correct)
{
    EpochFacts facts;
    facts.classes = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    facts.validationCounts = {10, 10, 10};
    facts.validationCorrect = correct;
    return facts;
}

QStringList codesOf(const QVector<Advice>& advice)
{
    QStringList codes;
    for (const Advice& a : advice) {
        codes << a.code;
        if (a.message.isEmpty()) {
            codes << QStringLiteral("<no message>");
        }
    }
    return codes;
}

// A run that learns: losses fall, validation follows.
History healthy()
{
    return historyOf({{1.0, 0.60, 0.9, 0.65},
                      {0.7, 0.75, 0.65, 0.78},
                      {0.5, 0.83, 0.52, 0.82},
                      {0.42, 0.86, 0.47, 0.84},
                      {0.38, 0.88, 0.46, 0.85},
                      {0.36, 0.89, 0.47, 0.85}});
}

} // namespace

class TestAdvice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void healthyRunGetsNone()
    {
        RunAdvisor advisor;
        const History h = healthy();
        for (int n = 1; n <= h.size(); ++n) {
            History part;
            for (int i = 0; i < n; ++i) {
                QVERIFY(part.append(h.epochs()[i]));
            }
            QCOMPARE(codesOf(advisor.afterEpoch(part, factsOf({8, 9, 8}))), QStringList());
        }
        QCOMPARE(codesOf(advisor.beforeTraining({QStringLiteral("a")}, {20})), QStringList());
    }

    // The small-data BatchNormalization failure: training accuracy climbs, validation stays at
    // the largest class's share.
    void chanceLevel()
    {
        RunAdvisor advisor;
        const History early = historyOf({{1.0, 0.5, 1.1, 0.3333}, {0.8, 0.6, 1.1, 0.3333}});
        QCOMPARE(codesOf(advisor.afterEpoch(early, factsOf({10, 0, 0}))), QStringList());
        const History h =
            historyOf({{1.0, 0.5, 1.1, 0.3333}, {0.8, 0.6, 1.1, 0.3333}, {0.5, 0.8, 1.1, 0.3333}});
        const QVector<Advice> advice = advisor.afterEpoch(h, factsOf({10, 0, 0}));
        QVERIFY(codesOf(advice).contains(QStringLiteral("chance_level")));
        QVERIFY(!codesOf(advice).contains(QStringLiteral("dead_class"))); // two misses so far
        QVERIFY(advice.first().message.contains(QStringLiteral("33%")));
        // Given once per run.
        QVERIFY(!codesOf(advisor.afterEpoch(h, factsOf({10, 0, 0})))
                     .contains(QStringLiteral("chance_level")));
        // Training accuracy only 15 points above chance: not yet.
        RunAdvisor other;
        const History low = historyOf(
            {{1.0, 0.4, 1.1, 0.3333}, {0.9, 0.45, 1.1, 0.3333}, {0.85, 0.48, 1.1, 0.3333}});
        QVERIFY(!codesOf(other.afterEpoch(low, factsOf({10, 0, 0})))
                     .contains(QStringLiteral("chance_level")));
    }

    void overfitting()
    {
        RunAdvisor advisor;
        const History two = historyOf({{1.0, 0.6, 0.5, 0.8},
                                       {0.8, 0.7, 0.55, 0.8},
                                       {0.6, 0.8, 0.6, 0.8},
                                       {0.5, 0.85, 0.58, 0.8}});
        QCOMPARE(codesOf(advisor.afterEpoch(two, factsOf({8, 8, 8}))), QStringList());
        const History three = historyOf({{1.0, 0.6, 0.5, 0.8},
                                         {0.8, 0.7, 0.55, 0.8},
                                         {0.6, 0.8, 0.6, 0.8},
                                         {0.4, 0.9, 0.7, 0.8}});
        QCOMPARE(codesOf(advisor.afterEpoch(three, factsOf({8, 8, 8}))),
                 QStringList{QStringLiteral("overfitting")});
    }

    // A class missed in three epochs in a row; a hit in between starts the count again.
    void deadClass()
    {
        const History h = historyOf({{1.0, 0.5, 0.9, 0.6},
                                     {0.8, 0.6, 0.8, 0.65},
                                     {0.6, 0.7, 0.7, 0.66},
                                     {0.5, 0.75, 0.6, 0.66}});
        const auto upTo = [&](int n) {
            History part;
            for (int i = 0; i < n; ++i) {
                (void)part.append(h.epochs()[i]);
            }
            return part;
        };
        RunAdvisor advisor;
        QCOMPARE(codesOf(advisor.afterEpoch(upTo(1), factsOf({10, 10, 0}))), QStringList());
        QCOMPARE(codesOf(advisor.afterEpoch(upTo(2), factsOf({10, 10, 0}))), QStringList());
        const QVector<Advice> advice = advisor.afterEpoch(upTo(3), factsOf({10, 10, 0}));
        QCOMPARE(codesOf(advice), QStringList{QStringLiteral("dead_class")});
        QVERIFY(advice.first().message.contains(QStringLiteral("of c was")));

        RunAdvisor recovered;
        QCOMPARE(codesOf(recovered.afterEpoch(upTo(1), factsOf({10, 10, 0}))), QStringList());
        QCOMPARE(codesOf(recovered.afterEpoch(upTo(2), factsOf({10, 10, 0}))), QStringList());
        QCOMPARE(codesOf(recovered.afterEpoch(upTo(3), factsOf({10, 10, 1}))), QStringList());
        QCOMPARE(codesOf(recovered.afterEpoch(upTo(4), factsOf({10, 10, 0}))), QStringList());

        // A class without validation images is not dead.
        RunAdvisor other;
        EpochFacts facts = factsOf({10, 10, 0});
        facts.validationCounts[2] = 0;
        for (int n = 1; n <= 4; ++n) {
            QCOMPARE(codesOf(other.afterEpoch(upTo(n), facts)), QStringList());
        }
    }

    void diverging()
    {
        RunAdvisor advisor;
        const History h =
            historyOf({{1.0, 0.5, 0.9, 0.6}, {0.5, 0.7, 0.6, 0.7}, {4.0, 0.3, 5.0, 0.33}});
        QVERIFY(codesOf(advisor.afterEpoch(h, factsOf({10, 0, 0})))
                    .contains(QStringLiteral("diverging")));
        RunAdvisor nan;
        QCOMPARE(codesOf(nan.lossNotFinite(0.5)), QStringList{QStringLiteral("diverging")});
        QVERIFY(nan.lossNotFinite(0.5).isEmpty()); // once
        const double inf = std::numeric_limits<double>::infinity();
        RunAdvisor infinite;
        QVERIFY(codesOf(infinite.afterEpoch(historyOf({{1.0, 0.5, 0.9, 0.6}, {inf, 0.3, inf, 0.3}}),
                                            factsOf({3, 3, 3})))
                    .contains(QStringLiteral("diverging")));
    }

    void notLearning()
    {
        RunAdvisor advisor;
        const History h = historyOf({{1.0986, 0.34, 1.0986, 0.3333},
                                     {1.0985, 0.33, 1.0986, 0.3333},
                                     {1.0984, 0.35, 1.0986, 0.3333}});
        QVERIFY(codesOf(advisor.afterEpoch(h, factsOf({10, 0, 0})))
                    .contains(QStringLiteral("not_learning")));
        // A converged run whose loss stands still is not "not learning".
        RunAdvisor converged;
        const History done = historyOf(
            {{0.300, 0.90, 0.35, 0.88}, {0.299, 0.90, 0.35, 0.88}, {0.298, 0.90, 0.35, 0.88}});
        QCOMPARE(codesOf(converged.afterEpoch(done, factsOf({9, 9, 8}))), QStringList());
    }

    void tinyClass()
    {
        RunAdvisor advisor;
        const QVector<Advice> advice =
            advisor.beforeTraining({QStringLiteral("big"), QStringLiteral("small")}, {120, 19});
        QCOMPARE(codesOf(advice), QStringList{QStringLiteral("tiny_class")});
        QVERIFY(advice.first().message.contains(QStringLiteral("small (19)")));
        QVERIFY(!advice.first().message.contains(QStringLiteral("big")));
    }

    void largestShareOfCounts()
    {
        QCOMPARE(largestShare({}), 0.0);
        QCOMPARE(largestShare({1, 3}), 0.75);
    }
};

QTEST_GUILESS_MAIN(TestAdvice)
#include "tst_advice.moc"
