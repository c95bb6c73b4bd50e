#include "common/numberrange.h"

#include <QLocale>

#include <cmath>

namespace studio {

QString numberText(double value)
{
    if (std::isinf(value)) {
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    }
    if (value == std::floor(value) && std::abs(value) < 1e15) {
        return QString::number(qint64(value));
    }
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

bool NumberRange::contains(double value) const
{
    if (std::isnan(value)) {
        return false;
    }
    const bool aboveMin = minimumOpen ? value > minimum : value >= minimum;
    const bool belowMax = maximumOpen ? value < maximum : value <= maximum;
    return aboveMin && belowMax;
}

QString NumberRange::describe() const
{
    const bool noMin = std::isinf(minimum);
    const bool noMax = std::isinf(maximum);
    if (noMin && noMax) {
        return QStringLiteral("a number");
    }
    if (noMax && minimum == 0) {
        return minimumOpen ? QStringLiteral("a positive number")
                           : QStringLiteral("a non-negative number");
    }
    if (noMax) {
        return QStringLiteral("a number %1 %2")
            .arg(minimumOpen ? QStringLiteral(">") : QStringLiteral(">="), numberText(minimum));
    }
    return QStringLiteral("a number in %1%2, %3%4")
        .arg(minimumOpen ? QStringLiteral("(") : QStringLiteral("["), numberText(minimum),
             numberText(maximum), maximumOpen ? QStringLiteral(")") : QStringLiteral("]"));
}

} // namespace studio
