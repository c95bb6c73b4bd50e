#include "dataset/imagecache.h"

#include <algorithm>
#include <cstring>
#include <unistd.h>

namespace studio {

namespace {

constexpr qint64 kChunkBytes = qint64(8) << 20;

} // namespace

ImageCache::ImageCache(const ImageShape& shape, qint64 budgetBytes)
    : m_shape(shape), m_budget(budgetBytes > 0 ? budgetBytes : defaultBudgetBytes())
{}

ImageCache::~ImageCache() = default;

qint64 ImageCache::defaultBudgetBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0) {
        return qint64(1) << 30;
    }
    return qint64(pages) * pageSize / 4;
}

void ImageCache::reset(int keys)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_entries.assign(size_t(std::max(0, keys)), Entry());
    m_chunks.clear();
    m_chunkUsed = m_chunkCapacity = 0;
    m_usedBytes = 0;
    m_count = 0;
    m_full = false;
}

bool ImageCache::insert(int key, const uint8_t* pixels)
{
    return insert(key, pixels, m_shape.size, m_shape.size);
}

bool ImageCache::insert(int key, const uint8_t* pixels, int width, int height)
{
    if (key < 0 || size_t(key) >= m_entries.size() || width <= 0 || height <= 0 ||
        width > m_shape.size || height > m_shape.size) {
        return false;
    }
    const qint64 bytes = qint64(width) * height * m_shape.channels * m_shape.sampleBytes;
    uint8_t* slot = nullptr;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        Entry& entry = m_entries[size_t(key)];
        if (entry.chunk >= 0) {
            return false;
        }
        if (m_usedBytes.load() + bytes > m_budget) {
            m_full = true;
            return false;
        }
        if (m_chunks.empty() || m_chunkUsed + bytes > m_chunkCapacity) {
            // The last chunk's unused tail is not counted: chunks are small next to budgets.
            m_chunkCapacity = std::max(bytes, std::min(kChunkBytes, m_budget - m_usedBytes.load()));
            m_chunks.emplace_back(new uint8_t[size_t(m_chunkCapacity)]);
            m_chunkUsed = 0;
        }
        entry = {int(m_chunks.size()) - 1, width, height, m_chunkUsed};
        slot = m_chunks.back().get() + m_chunkUsed;
        m_chunkUsed += bytes;
        m_usedBytes += bytes;
        ++m_count;
    }
    // Chunks never move and each slot is written once, so the copy needs no lock.
    std::memcpy(slot, pixels, size_t(bytes));
    return true;
}

CachedImage ImageCache::find(int key) const
{
    if (key < 0 || size_t(key) >= m_entries.size()) {
        return {};
    }
    const Entry& entry = m_entries[size_t(key)];
    if (entry.chunk < 0) {
        return {};
    }
    return {m_chunks[size_t(entry.chunk)].get() + entry.offset, entry.width, entry.height};
}

void ImageCache::rekey(const std::vector<int>& oldKeyOf)
{
    std::vector<Entry> entries(oldKeyOf.size());
    for (size_t k = 0; k < oldKeyOf.size(); ++k) {
        const int old = oldKeyOf[k];
        if (old >= 0 && size_t(old) < m_entries.size()) {
            entries[k] = m_entries[size_t(old)];
        }
    }
    m_entries.swap(entries);
}

} // namespace studio
