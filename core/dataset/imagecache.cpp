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
{
    const qint64 imageBytes = std::max<qint64>(1, shape.bytes());
    m_capacity = m_budget / imageBytes;
    m_slotsPerChunk = std::max<qint64>(1, kChunkBytes / imageBytes);
    m_chunks.resize(size_t((m_capacity + m_slotsPerChunk - 1) / m_slotsPerChunk));
}

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
    m_slotOfKey.assign(size_t(std::max(0, keys)), -1);
    m_used = 0;
}

uint8_t* ImageCache::slotPointer(qint64 slot) const
{
    return m_chunks[size_t(slot / m_slotsPerChunk)].get() +
           (slot % m_slotsPerChunk) * m_shape.bytes();
}

bool ImageCache::insert(int key, const uint8_t* pixels)
{
    if (key < 0 || size_t(key) >= m_slotOfKey.size() || m_slotOfKey[size_t(key)] >= 0) {
        return false;
    }
    const qint64 slot = m_used.fetch_add(1);
    if (slot >= m_capacity) {
        m_used.fetch_sub(1);
        return false;
    }
    const size_t chunk = size_t(slot / m_slotsPerChunk);
    {
        std::lock_guard<std::mutex> lock(m_chunkMutex);
        if (!m_chunks[chunk]) {
            const qint64 slots =
                std::min(m_slotsPerChunk, m_capacity - qint64(chunk) * m_slotsPerChunk);
            m_chunks[chunk].reset(new uint8_t[size_t(slots * m_shape.bytes())]);
        }
    }
    std::memcpy(slotPointer(slot), pixels, size_t(m_shape.bytes()));
    m_slotOfKey[size_t(key)] = int(slot);
    return true;
}

const uint8_t* ImageCache::find(int key) const
{
    if (key < 0 || size_t(key) >= m_slotOfKey.size()) {
        return nullptr;
    }
    const int slot = m_slotOfKey[size_t(key)];
    return slot < 0 ? nullptr : slotPointer(slot);
}

void ImageCache::rekey(const std::vector<int>& oldKeyOf)
{
    std::vector<int> slots(oldKeyOf.size(), -1);
    for (size_t k = 0; k < oldKeyOf.size(); ++k) {
        const int old = oldKeyOf[k];
        if (old >= 0 && size_t(old) < m_slotOfKey.size()) {
            slots[k] = m_slotOfKey[size_t(old)];
        }
    }
    m_slotOfKey.swap(slots);
}

} // namespace studio
