// Result<T> and Status: how core returns a value or a message a user can read, never throws.
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace studio {

// A failure message: says what happened, to which file or setting, and what to do.
struct Failure
{
    QString message;
};

// Either a value or a Failure.
template <typename T> class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Failure failure) : m_error(std::move(failure.message)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return *m_value; }
    T& value() & { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    const T* operator->() const { return &*m_value; }
    T* operator->() { return &*m_value; }
    const T& operator*() const& { return *m_value; }
    T& operator*() & { return *m_value; }

    const QString& error() const { return m_error; }

private:
    std::optional<T> m_value;
    QString m_error;
};

// Success or a Failure, for operations that return nothing.
class Status
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
