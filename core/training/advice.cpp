#include "training/advice.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace studio {

namespace {

// Fewer training images than this in a class is too few to learn it reliably.
constexpr qint64 kTinyClass = 20;
// The checks that need a trend wait for this many epochs.
constexpr int kSettleEpochs = 3;

QString percent(double fraction)
{
    return QString::number(fraction * 100, 'f', 0) + QLatin1Char('%');
}

// Validation accuracy no better than always answering the largest class, while the training
// accuracy is well above it: the network learned something it cannot use on new images.
QVector<Advice> chanceLevel(const History& history, const EpochFacts& facts)
{
    const EpochMetrics& m = history.epochs().last().metrics;
    const double chance = largestShare(facts.validationCounts);
    if (history.size() < kSettleEpochs || std::abs(m.valAccuracy - chance) > 0.02 ||
        m.accuracy < chance + 0.20) {
        return {};
    }
    return {{QStringLiteral("chance_level"),
             QStringLiteral("Validation accuracy (%1) is what always answering the largest class "
                            "gives (%2), while training accuracy is %3: the model does not work "
                            "on images it has not trained on. Check that the validation images "
                            "look like the training images (same brightness, size and kind), "
                            "use more training images or augmentation, or pick a smaller "
                            "network.")
                 .arg(percent(m.valAccuracy), percent(chance), percent(m.accuracy))}};
}

// Validation loss rising for three epochs in a row while the training loss falls.
QVector<Advice> overfitting(const History& history)
{
    const QVector<EpochRecord>& e = history.epochs();
    const int n = int(e.size());
    if (n < kSettleEpochs + 1) {
        return {};
    }
    for (int i = n - kSettleEpochs; i < n; ++i) {
        if (!(e[i].metrics.valLoss > e[i - 1].metrics.valLoss &&
              e[i].metrics.loss < e[i - 1].metrics.loss)) {
            return {};
        }
    }
    return {{QStringLiteral("overfitting"),
             QStringLiteral("The validation loss has risen for %1 epochs in a row while the "
                            "training loss fell: the model is learning the training images by "
                            "heart (over-fitting). Turn on augmentation, add a Dropout layer, or "
                            "turn on EarlyStopping with restore_best_weights to keep the best "
                            "epoch.")
                 .arg(kSettleEpochs)}};
}

// Classes whose validation images have all been missed for kSettleEpochs epochs in a row.
QVector<Advice> deadClass(const QStringList& dead)
{
    if (dead.isEmpty()) {
        return {};
    }
    return {{QStringLiteral("dead_class"),
             QStringLiteral("No validation image of %1 was recognised in the last %2 epochs "
                            "(recall 0). If the class has few images, add some or set "
                            "class_weights to \"balanced\" on the Train page; check that its "
                            "images are in the right folder.")
                 .arg(dead.join(QStringLiteral(", ")))
                 .arg(kSettleEpochs)}};
}

// A training loss that grows far beyond its best, or beyond guessing.
QVector<Advice> diverging(const History& history, int classes)
{
    const QVector<EpochRecord>& e = history.epochs();
    const double loss = e.last().metrics.loss;
    double best = loss;
    for (const EpochRecord& record : e) {
        best = std::min(best, record.metrics.loss);
    }
    const double guessing = std::log(std::max(classes, 2));
    if (std::isfinite(loss) && !(loss > 3 * best && loss > guessing)) {
        return {};
    }
    return {{QStringLiteral("diverging"),
             QStringLiteral("The training loss is growing (%1, best %2): the learning rate (%3) "
                            "is probably too high. Divide it by 10 and train again.")
                 .arg(loss, 0, 'g', 3)
                 .arg(best, 0, 'g', 3)
                 .arg(e.last().learningRate, 0, 'g', 3)}};
}

// A training loss that stands still while the model is no better than guessing.
QVector<Advice> notLearning(const History& history, const EpochFacts& facts)
{
    const QVector<EpochRecord>& e = history.epochs();
    const int n = int(e.size());
    if (n < kSettleEpochs) {
        return {};
    }
    double low = e.last().metrics.loss;
    double high = low;
    for (int i = n - kSettleEpochs; i < n; ++i) {
        low = std::min(low, e[i].metrics.loss);
        high = std::max(high, e[i].metrics.loss);
    }
    const double chance = largestShare(facts.validationCounts);
    if (high - low >= 0.01 * high || e.last().metrics.accuracy > chance + 0.05) {
        return {};
    }
    return {{QStringLiteral("not_learning"),
             QStringLiteral("The training loss has moved less than 1% in %1 epochs and the "
                            "model is no better than guessing: it is not learning. Try a "
                            "learning rate 10 times larger or smaller (now %2), or check that "
                            "the images of different classes really differ.")
                 .arg(kSettleEpochs)
                 .arg(e.last().learningRate, 0, 'g', 3)}};
}

} // namespace

double largestShare(const QVector<qint64>& counts)
{
    const qint64 total = std::accumulate(counts.begin(), counts.end(), qint64(0));
    if (total <= 0) {
        return 0;
    }
    return double(*std::max_element(counts.begin(), counts.end())) / double(total);
}

QVector<Advice> RunAdvisor::once(const QVector<Advice>& advice)
{
    QVector<Advice> fresh;
    for (const Advice& a : advice) {
        if (!m_given.contains(a.code)) {
            m_given.insert(a.code);
            fresh.append(a);
        }
    }
    return fresh;
}

QVector<Advice> RunAdvisor::beforeTraining(const QStringList& classes,
                                           const QVector<qint64>& trainingCounts)
{
    QStringList tiny;
    for (int c = 0; c < classes.size() && c < trainingCounts.size(); ++c) {
        if (trainingCounts[c] < kTinyClass) {
            tiny << QStringLiteral("%1 (%2)").arg(classes[c]).arg(trainingCounts[c]);
        }
    }
    if (tiny.isEmpty()) {
        return {};
    }
    return once({{QStringLiteral("tiny_class"),
                  QStringLiteral("Few training images in %1: fewer than %2 images of a class "
                                 "are rarely enough to learn it. Add images, or judge the "
                                 "results with cross-validation rather than one small test "
                                 "split.")
                      .arg(tiny.join(QStringLiteral(", ")))
                      .arg(kTinyClass)}});
}

QVector<Advice> RunAdvisor::afterEpoch(const History& history, const EpochFacts& facts)
{
    if (history.isEmpty()) {
        return {};
    }
    QVector<Advice> advice = diverging(history, int(facts.classes.size()));
    advice += chanceLevel(history, facts);
    advice += overfitting(history);
    QStringList dead;
    m_missedEpochs.resize(facts.classes.size());
    for (int c = 0; c < facts.classes.size(); ++c) {
        const bool missed =
            facts.validationCounts.value(c) > 0 && facts.validationCorrect.value(c) == 0;
        m_missedEpochs[c] = missed ? m_missedEpochs[c] + 1 : 0;
        if (m_missedEpochs[c] >= kSettleEpochs) {
            dead << facts.classes[c];
        }
    }
    advice += deadClass(dead);
    advice += notLearning(history, facts);
    return once(advice);
}

QVector<Advice> RunAdvisor::lossNotFinite(double learningRate)
{
    return once({{QStringLiteral("diverging"),
                  QStringLiteral("The loss became NaN or infinite: the learning rate (%1) is "
                                 "probably too high. Divide it by 10 and train again.")
                      .arg(learningRate, 0, 'g', 3)}});
}

} // namespace studio
