// An allowed interval for a number, printed in messages as "[0, 1)".
#pragma once

#include <QString>

#include <limits>

namespace studio {

// An interval of allowed values, open or closed at each end, that can describe itself.
struct NumberRange
{
    double minimum = -std::numeric_limits<double>::infinity();
    double maximum = std::numeric_limits<double>::infinity();
    bool minimumOpen = false;
    bool maximumOpen = false;

    bool contains(double value) const;
    QString describe() const; // "a number in [0, 1)", "a positive number", ...

    static NumberRange closed(double minimum, double maximum) { return {minimum, maximum}; }
    static NumberRange halfOpen(double minimum, double maximum)
    {
        return {minimum, maximum, false, true};
    }
    static NumberRange open(double minimum, double maximum)
    {
        return {minimum, maximum, true, true};
    }
    static NumberRange positive()
    {
        return {0, std::numeric_limits<double>::infinity(), true, false};
    }
    static NumberRange nonNegative() { return {0, std::numeric_limits<double>::infinity()}; }
};

// A number as messages print it: 3, 0.25, 1e-07, inf.
QString numberText(double value);

} // namespace studio
