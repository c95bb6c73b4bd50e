// Decoded images (uint8) kept in RAM under a memory budget, so epochs skip decoding.
#pragma once

#include "dataset/imagedecoder.h"

#include <QtGlobal>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace studio {

// One cached image: height x width x shape().channels bytes, or pixels == nullptr.
struct CachedImage
{
    const uint8_t* pixels = nullptr;
    int width = 0;
    int height = 0;
};

// Images at the cache's shape, or smaller ones at their own size (an image no larger than the
// shape is kept as decoded: a 28 px image cached for 64 px training takes a fifth of the
// bytes; the batch producer resizes it). Stored back to back in chunks allocated on demand;
// keys are positions in DatasetIndex::items. Filling (insert) is thread-safe; read (find) once
// filling has finished.
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
    qint64 usedBytes() const { return m_usedBytes.load(); }
    qint64 count() const { return m_count.load(); }
    // True once an image did not fit in the budget.
    bool isFull() const { return m_full.load(); }

    // Forgets all images and prepares for keys 0..keys-1.
    void reset(int keys);
    // Copies a shape()-sized image for key; false when the budget is spent.
    bool insert(int key, const uint8_t* pixels);
    // Copies width x height x shape().channels bytes for key; the sides must not exceed
    // shape().size. False when the budget is spent. Called from worker threads.
    bool insert(int key, const uint8_t* pixels, int width, int height);
    // The pixels of key, or {} when it is not cached.
    CachedImage find(int key) const;
    // Renumbers keys: the new key k holds what oldKeyOf[k] held; keys not listed are dropped.
    void rekey(const std::vector<int>& oldKeyOf);

private:
    // Where an image is: its chunk, its offset in it, its sides.
    struct Entry
    {
        int chunk = -1; // -1: not cached
        int width = 0;
        int height = 0;
        qint64 offset = 0;
    };

    ImageShape m_shape;
    qint64 m_budget = 0;
    std::atomic<qint64> m_usedBytes{0};
    std::atomic<qint64> m_count{0};
    std::atomic<bool> m_full{false};
    std::vector<Entry> m_entries;
    std::vector<std::unique_ptr<uint8_t[]>> m_chunks;
    qint64 m_chunkUsed = 0;     // bytes used in m_chunks.back()
    qint64 m_chunkCapacity = 0; // bytes of m_chunks.back()
    std::mutex m_mutex;         // guards the chunk list while filling
};

} // namespace studio
