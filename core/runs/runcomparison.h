// Comparing two runs: McNemar's test on their answers for the same test images, and what
// differs between their project.json files in plain words.
#pragma once

#include "common/result.h"
#include "evaluation/metrics.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace studio {

// McNemar's test of two classifiers on the same images: the discordant pairs decide.
struct McNemarResult
{
    int images = 0; // test images both runs answered
    int bothRight = 0;
    int onlyARight = 0; // b: A right, B wrong
    int onlyBRight = 0; // c: B right, A wrong
    int bothWrong = 0;
    // The exact test: two-sided binomial p of min(b, c) in b + c trials at 1/2 (statsmodels'
    // mcnemar(exact=True)); what the CLI and the Runs view show.
    double exactP = 1;
    // (|b - c| - 1)^2 / (b + c), with its chi-square (1 degree of freedom) p; for large b + c.
    double chiSquare = 0;
    double chiSquareP = 1;
};

// The exact two-sided p of b discordant pairs one way and c the other (1 when b + c = 0):
// min(1, 2 * sum_{k <= min(b, c)} C(b + c, k) / 2^(b + c)).
double mcnemarExactP(int b, int c);
// Edwards' continuity-corrected statistic and its p (chi-square, 1 degree of freedom).
double mcnemarChiSquare(int b, int c);
double chiSquare1P(double statistic);

// McNemar's test of two evaluations, pairing images by path (as evaluation.json lists them in
// "correct" and "misclassified"). Different test images (or classes) are a Failure naming
// `nameA` and `nameB` and how the sets differ.
Result<McNemarResult> mcnemarTest(const EvaluationMetrics& a, const EvaluationMetrics& b,
                                  const QString& nameA, const QString& nameB);
// The same for two run folders' evaluation/evaluation.json.
Result<McNemarResult> mcnemarTestOfRuns(const QString& runA, const QString& runB);

// "A right where B wrong: 9, B right where A wrong: 1, of 100 images; McNemar's exact p =
// 0.0215: the difference is more than chance (p < 0.05)."
QString describeMcNemar(const McNemarResult& result);
// {"images", "both_right", "only_a_right", "only_b_right", "both_wrong", "exact_p",
//  "chi_square", "chi_square_p"}
QJsonObject mcnemarToJson(const McNemarResult& result);

// One difference between two projects.
// A JSON value as people read it: on/off, 0.001, "nearest", [1, 1], none.
QString jsonValueText(const QJsonValue& value);
// The value at section ("training.optimizer") and key of a project file's JSON (undefined when
// it has none).
QJsonValue projectValueAt(const QJsonObject& root, const QString& section, const QString& key);

struct SettingChange
{
    QString path;   // "training.learning_rate"; "model.layers" for the layer stack
    QString name;   // as people read it: "learning_rate", "augmentation", "early_stopping.patience"
    QString label;  // the schema's plain label ("Learning rate")
    QString before; // "0.001", "on"; for layers a description ("+ Dropout (rate 0.3) at 7")
    QString after;
};

// What differs between two project files' JSON (projectToJson()), setting by setting in the
// schema's order (settings/settingsschema.h), then the layers: added, removed or changed ones.
QVector<SettingChange> diffProjects(const QJsonObject& a, const QJsonObject& b);
// The same for two run folders' project.json; a missing or unreadable one is a Failure.
Result<QVector<SettingChange>> diffRunProjects(const QString& runA, const QString& runB);
// "learning_rate 0.001 → 0.0005; augmentation on → off" ("no setting differs" when none).
QString describeChanges(const QVector<SettingChange>& changes);

} // namespace studio
