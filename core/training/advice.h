// The trainer's advice: what looks wrong with a run, in plain words, with what to do about it.
#pragma once

#include "training/history.h"

#include <QSet>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

// One piece of advice. `code` is stable for programs ("chance_level", "overfitting",
// "dead_class", "diverging", "not_learning", "tiny_class"); `message` is for people.
struct Advice
{
    QString code;
    QString message;
};

// What the checks after an epoch look at.
struct EpochFacts
{
    QStringList classes;
    QVector<qint64> validationCounts;  // validation images per class
    QVector<qint64> validationCorrect; // of them classified correctly this epoch
};

// Watches a run epoch by epoch and gives each piece of advice once per run.
class RunAdvisor
{
public:
    // Before the first epoch: classes with fewer than 20 training images.
    QVector<Advice> beforeTraining(const QStringList& classes,
                                   const QVector<qint64>& trainingCounts);
    // After each epoch (the last of `history`), called once per epoch: chance-level
    // validation, over-fitting, a class missed for three epochs in a row, a loss exploding or
    // standing still.
    QVector<Advice> afterEpoch(const History& history, const EpochFacts& facts);
    // When the loss became NaN or infinite.
    QVector<Advice> lossNotFinite(double learningRate);

    // Codes already given (a resumed run starts empty and may repeat one).
    const QSet<QString>& given() const { return m_given; }

private:
    // The advice, unless its code was given before.
    QVector<Advice> once(const QVector<Advice>& advice);

    QSet<QString> m_given;
    QVector<int> m_missedEpochs; // per class: epochs in a row with validation recall 0
};

// The largest class's share of `counts` (0 when empty): the accuracy of always answering it.
double largestShare(const QVector<qint64>& counts);

} // namespace studio
