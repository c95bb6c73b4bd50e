// Keras callbacks as plain state machines: EarlyStopping and ReduceLROnPlateau, fed one epoch
// at a time, so that their decisions can be tested on a scripted history.
#pragma once

#include <QString>

#include <limits>

namespace studio {

// The metrics of one finished epoch, as Keras names them.
struct EpochMetrics
{
    double loss = std::numeric_limits<double>::quiet_NaN();
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    double valLoss = std::numeric_limits<double>::quiet_NaN();
    double valAccuracy = std::numeric_limits<double>::quiet_NaN();

    // The value of a Keras monitor name ("loss", "accuracy", "val_loss", "val_accuracy";
    // "acc" and "val_acc" too); NaN for an unknown name.
    double value(const QString& monitor) const;
};

// Whether larger is better for a monitor, as Keras's mode "auto" decides: accuracies rise.
bool monitorIncreases(const QString& monitor);

// keras.callbacks.EarlyStopping: stops when the monitored value has not improved by more than
// min_delta for `patience` epochs; remembers the best epoch for restore_best_weights.
class EarlyStopping
{
public:
    EarlyStopping(QString monitor, int patience, double minDelta);

    // Feeds the metrics of epoch `epoch` (0-based). Returns true when training should stop.
    bool onEpochEnd(int epoch, const EpochMetrics& metrics);

    // Whether the last epoch fed was the best so far (its weights are the ones to keep).
    bool lastWasImprovement() const { return m_lastImproved; }
    int bestEpoch() const { return m_bestEpoch; }
    double best() const { return m_best; }
    int wait() const { return m_wait; }

    // State for checkpoints, so a resumed run decides as an uninterrupted one.
    struct State
    {
        double best;
        int bestEpoch;
        int wait;
    };
    State state() const { return {m_best, m_bestEpoch, m_wait}; }
    void restore(const State& state);

private:
    QString m_monitor;
    int m_patience;
    double m_minDelta;
    bool m_increases;
    double m_best;
    int m_bestEpoch = -1;
    int m_wait = 0;
    bool m_lastImproved = false;
};

// keras.callbacks.ReduceLROnPlateau: multiplies the learning rate by `factor` when the monitored
// value has not improved by more than min_delta for `patience` epochs, never below min_lr.
class ReduceLROnPlateau
{
public:
    ReduceLROnPlateau(QString monitor, double factor, int patience, double minLr,
                      double minDelta = 1e-4, int cooldown = 0);

    // Feeds epoch metrics and the current learning rate; returns the learning rate to use next.
    double onEpochEnd(const EpochMetrics& metrics, double learningRate);

    // State for checkpoints.
    struct State
    {
        double best;
        int wait;
        int cooldownCounter;
    };
    State state() const { return {m_best, m_wait, m_cooldownCounter}; }
    void restore(const State& state);

private:
    QString m_monitor;
    double m_factor;
    int m_patience;
    double m_minLr;
    double m_minDelta;
    int m_cooldown;
    bool m_increases;
    double m_best;
    int m_wait = 0;
    int m_cooldownCounter = 0;
};

// The tutorial's `decay` (Keras's legacy optimizers): lr / (1 + decay * iterations).
double decayedLearningRate(double learningRate, double decay, qint64 iterations);

} // namespace studio
