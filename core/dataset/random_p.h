// Private to core/dataset: the hashing and random numbers behind seeds, the same on every platform.
#pragma once

#include <QString>
#include <QtGlobal>

namespace studio {

// The splitmix64 finaliser: a strong 64-bit mix.
inline quint64 mix64(quint64 h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

// FNV-1a over UTF-8: the same on every platform and Qt version (unlike qHash).
inline quint64 stableHash(const QString& text)
{
    quint64 h = 0xcbf29ce484222325ULL;
    for (const char c : text.toUtf8()) {
        h = (h ^ quint64(uchar(c))) * 0x100000001b3ULL;
    }
    return h;
}

// splitmix64: small and fast; std's distributions differ between standard libraries.
class SplitMix
{
public:
    explicit SplitMix(quint64 seed) : m_state(seed) {}
    quint64 next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        return mix64(m_state);
    }
    // Uniform in [low, high).
    double uniform(double low, double high)
    {
        const double u = double(next() >> 11) * (1.0 / 9007199254740992.0);
        return low + (high - low) * u;
    }
    // Uniform in 0..bound-1.
    quint64 below(quint64 bound) { return bound == 0 ? 0 : next() % bound; }

private:
    quint64 m_state;
};

} // namespace studio
