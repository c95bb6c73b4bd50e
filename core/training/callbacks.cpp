#include "training/callbacks.h"

#include <cmath>

namespace studio {

namespace {

double worstValue(bool increases)
{
    return increases ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
}

// Keras's monitor_op(current - min_delta, best), with min_delta signed by the mode.
bool improves(double current, double best, double minDelta, bool increases)
{
    if (std::isnan(current)) {
        return false;
    }
    return increases ? current - minDelta > best : current + minDelta < best;
}

} // namespace

double EpochMetrics::value(const QString& monitor) const
{
    if (monitor == QLatin1String("loss")) {
        return loss;
    }
    if (monitor == QLatin1String("accuracy") || monitor == QLatin1String("acc")) {
        return accuracy;
    }
    if (monitor == QLatin1String("val_loss")) {
        return valLoss;
    }
    if (monitor == QLatin1String("val_accuracy") || monitor == QLatin1String("val_acc")) {
        return valAccuracy;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

bool monitorIncreases(const QString& monitor)
{
    return monitor.contains(QLatin1String("acc"));
}

EarlyStopping::EarlyStopping(QString monitor, int patience, double minDelta)
    : m_monitor(std::move(monitor)), m_patience(patience), m_minDelta(std::abs(minDelta)),
      m_increases(monitorIncreases(m_monitor)), m_best(worstValue(m_increases))
{}

bool EarlyStopping::onEpochEnd(int epoch, const EpochMetrics& metrics)
{
    const double current = metrics.value(m_monitor);
    m_lastImproved = improves(current, m_best, m_minDelta, m_increases);
    if (m_lastImproved) {
        m_best = current;
        m_bestEpoch = epoch;
        m_wait = 0;
        return false;
    }
    ++m_wait;
    return m_wait >= m_patience && epoch > 0;
}

void EarlyStopping::restore(const State& state)
{
    m_best = state.best;
    m_bestEpoch = state.bestEpoch;
    m_wait = state.wait;
}

ReduceLROnPlateau::ReduceLROnPlateau(QString monitor, double factor, int patience, double minLr,
                                     double minDelta, int cooldown)
    : m_monitor(std::move(monitor)), m_factor(factor), m_patience(patience), m_minLr(minLr),
      m_minDelta(std::abs(minDelta)), m_cooldown(cooldown),
      m_increases(monitorIncreases(m_monitor)), m_best(worstValue(m_increases))
{}

double ReduceLROnPlateau::onEpochEnd(const EpochMetrics& metrics, double learningRate)
{
    const double current = metrics.value(m_monitor);
    const bool inCooldown = m_cooldownCounter > 0;
    if (inCooldown) {
        --m_cooldownCounter;
        m_wait = 0;
    }
    if (improves(current, m_best, m_minDelta, m_increases)) {
        m_best = current;
        m_wait = 0;
        return learningRate;
    }
    if (inCooldown) {
        return learningRate;
    }
    ++m_wait;
    if (m_wait < m_patience || learningRate <= m_minLr) {
        return learningRate;
    }
    m_cooldownCounter = m_cooldown;
    m_wait = 0;
    return std::max(learningRate * m_factor, m_minLr);
}

void ReduceLROnPlateau::restore(const State& state)
{
    m_best = state.best;
    m_wait = state.wait;
    m_cooldownCounter = state.cooldownCounter;
}

double decayedLearningRate(double learningRate, double decay, qint64 iterations)
{
    return learningRate / (1.0 + decay * double(iterations));
}

} // namespace studio
