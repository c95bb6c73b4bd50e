// Decoded, resized images (uint8) kept in RAM under a memory budget, so epochs skip decoding.
#pragma once

#include "dataset/imagedecoder.h"

#include <QtGlobal>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace studio {

// Fixed-size slots in chunks allocated on demand; keys are positions in DatasetIndex::items.
// Filling (insert) is thread-safe; read (find) once filling has finished.
class ImageCache
{
public:
    // budgetBytes <= 0: defaultBudgetBytes().
    ImageCache(const ImageShape& shape, qint64 budgetBytes);
    ~ImageCache();
    ImageCache(const ImageCache&) = delete;
    ImageCache& operator=(const ImageCache&) = delete;

    // A quarter of the physical RAM.
    static qint64 defaultBudgetBytes();

    const ImageShape& shape() const { return m_shape; }
    qint64 budgetBytes() const { return m_budget; }
    qint64 capacity() const { return m_capacity; }
    qint64 count() const { return m_used.load(); }
    bool isFull() const { return m_used.load() >= m_capacity; }

    // Forgets all images and prepares for keys 0..keys-1.
    void reset(int keys);
    // Copies shape().bytes() bytes into a free slot for key; false when the budget is spent.
    // Called from worker threads.
    bool insert(int key, const uint8_t* pixels);
    // The pixels of key, or nullptr when it is not cached.
    const uint8_t* find(int key) const;
    // Renumbers keys: the new key k holds what oldKeyOf[k] held; keys not listed are dropped.
    void rekey(const std::vector<int>& oldKeyOf);

private:
    uint8_t* slotPointer(qint64 slot) const;

    ImageShape m_shape;
    qint64 m_budget = 0;
    qint64 m_capacity = 0;
    qint64 m_slotsPerChunk = 1;
    std::atomic<qint64> m_used{0};
    std::vector<int> m_slotOfKey; // -1: not cached
    std::vector<std::unique_ptr<uint8_t[]>> m_chunks;
    std::mutex m_chunkMutex;
};

} // namespace studio
