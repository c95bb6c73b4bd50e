// Tests of comparing two runs: McNemar's test against hand computations, images paired by path,
// and the settings that differ between two projects in plain words.
#include "project/project.h"
#include "runs/runcomparison.h"

#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

// An evaluation of the images `paths`: those in `right` answered correctly.
EvaluationMetrics evaluation(const QStringList& paths, const QSet<QString>& right)
{
    EvaluationMetrics m;
    m.classes = {QStringLiteral("a"), QStringLiteral("b")};
    for (const QString& path : paths) {
        ClassifiedImage image;
        image.path = path;
        (right.contains(path) ? m.correct : m.misclassified).append(image);
    }
    m.count = int(paths.size());
    return m;
}

QStringList images(int n)
{
    QStringList paths;
    for (int i = 0; i < n; ++i) {
        paths << QStringLiteral("test/a/%1.png").arg(i);
    }
    return paths;
}

QJsonObject json(const Project& project)
{
    return QJsonDocument::fromJson(projectToJson(project)).object();
}

} // namespace

class TestRunComparison : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // b = 1, c = 9: exact p = 2 * (C(10,0) + C(10,1)) / 2^10 = 22/1024 = 0.021484375; the
    // chi-square with continuity correction (|1 - 9| - 1)^2 / 10 = 4.9, p = erfc(sqrt(2.45)).
    void mcnemarMatchesHandComputation()
    {
        QCOMPARE(mcnemarExactP(1, 9), 22.0 / 1024);
        QCOMPARE(mcnemarExactP(9, 1), 22.0 / 1024);
        QVERIFY(std::abs(mcnemarExactP(7, 18) - 0.043285250663757324) < 1e-12);
        QCOMPARE(mcnemarExactP(5, 5), 1.0); // capped, as statsmodels
        QCOMPARE(mcnemarExactP(0, 0), 1.0);
        QCOMPARE(mcnemarChiSquare(1, 9), 4.9);
        QVERIFY(std::abs(chiSquare1P(4.9) - 0.026856695507524425) < 1e-12);
    }

    void pairsImagesByPath()
    {
        const QStringList paths = images(20);
        // A right on 0..14; B right on 0..4 and 14..19: both right 0-4 and 14, only A 5-13
        // (9), only B 15-19 (5), both wrong none.
        QSet<QString> a, b;
        for (int i = 0; i < 15; ++i) {
            a.insert(paths[i]);
        }
        for (int i : {0, 1, 2, 3, 4, 14, 15, 16, 17, 18, 19}) {
            b.insert(paths[i]);
        }
        const Result<McNemarResult> r = mcnemarTest(evaluation(paths, a), evaluation(paths, b),
                                                    QStringLiteral("A"), QStringLiteral("B"));
        QVERIFY2(r.ok(), qPrintable(r.error()));
        QCOMPARE(r->images, 20);
        QCOMPARE(r->bothRight, 6);
        QCOMPARE(r->onlyARight, 9);
        QCOMPARE(r->onlyBRight, 5);
        QCOMPARE(r->bothWrong, 0);
        QCOMPARE(r->exactP, mcnemarExactP(9, 5));
        QVERIFY(describeMcNemar(*r).contains(QStringLiteral("may be chance")));
    }

    void differentTestSetsAreRefused()
    {
        const Result<McNemarResult> r =
            mcnemarTest(evaluation(images(5), {}), evaluation(images(6), {}),
                        QStringLiteral("run-a"), QStringLiteral("run-b"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QStringLiteral("run-a")) &&
                     r.error().contains(QStringLiteral("run-b")) &&
                     r.error().contains(QStringLiteral("test/a/5.png")),
                 qPrintable(r.error()));
    }

    void settingsDiffInPlainWords()
    {
        Project a = defaultProject();
        Project b = a;
        b.training.learningRate = 0.0005;
        b.augmentation.enabled = !a.augmentation.enabled;
        const QVector<SettingChange> changes = diffProjects(json(a), json(b));
        QCOMPARE(changes.size(), 2);
        QCOMPARE(changes[0].path, QStringLiteral("augmentation.enabled"));
        QCOMPARE(describeChanges(changes),
                 QStringLiteral("augmentation on → off; learning_rate 0.001 → 0.0005"));
        QCOMPARE(describeChanges(diffProjects(json(a), json(a))),
                 QStringLiteral("no setting differs"));
        QVERIFY(!changes[1].label.isEmpty());
    }

    void layersDiffSaysWhatChanged()
    {
        Project a = defaultProject();
        Project b = a;
        QVERIFY(a.model.layers.size() > 2);
        QCOMPARE(a.model.layers[0].type, LayerType::Conv2D);
        b.model.layers[0].filters = a.model.layers[0].filters * 2;
        b.model.layers.insert(2, LayerSpec::dropout(0.25));
        const QVector<SettingChange> changes = diffProjects(json(a), json(b));
        const QString text = describeChanges(changes);
        QCOMPARE(changes.size(), 2); // the layers after the new one are not reported
        QVERIFY2(text.contains(QStringLiteral("layer 1 Conv2D (filters %1) → Conv2D (filters %2)")
                                   .arg(a.model.layers[0].filters)
                                   .arg(b.model.layers[0].filters)),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("layer 3 none → Dropout (rate 0.25")),
                 qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
