// Result<T> and Status: how core returns a value or a message a user can read, never throws.
#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <utility>

namespace studio {

// A failure message: says what happened, to which file or setting, and what to do.
struct Failure
{
    QString message;
};

// Either a value or a Failure. Ignoring one is a compiler warning (an error in CI), and reading
// the value of a failure stops the program with the failure's message, in every build.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Failure failure) : m_error(std::move(failure.message)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return checked(); }
    T& value() & { return checked(); }
    T&& value() && { return std::move(checked()); }
    const T* operator->() const { return &checked(); }
    T* operator->() { return &checked(); }
    const T& operator*() const& { return checked(); }
    T& operator*() & { return checked(); }

    const QString& error() const { return m_error; }

private:
    const T& checked() const
    {
        if (!m_value) {
            qFatal("Result::value() read on a failure: %s", qPrintable(m_error));
        }
        return *m_value;
    }
    T& checked() { return const_cast<T&>(std::as_const(*this).checked()); }

    std::optional<T> m_value;
    QString m_error;
};

// Success or a Failure, for operations that return nothing; ignoring one is a warning.
class [[nodiscard]] Status
{
public:
    Status() = default;
    Status(Failure failure) : m_error(std::move(failure.message)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString& error() const { return m_error; }

private:
    QString m_error;
    bool m_failed = false;
};

} // namespace studio
