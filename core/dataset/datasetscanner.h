// Scanning a dataset folder: layout, classes, split, one parallel decode pass, problems.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"
#include "dataset/fashionmnist.h"
#include "dataset/inputspec.h"

#include <QString>

#include <atomic>

namespace studio {

class ImageCache;

// How to scan; all optional.
struct ScanOptions
{
    int threads = 0;             // decode threads; 0: all cores
    ImageCache* cache = nullptr; // when given, decoded images are kept here (same decode pass)
    // How the cached images are prepared; null: inputSpecOf() the settings. A run passes its
    // spec with the standardize statistics, on which padding depends.
    const InputSpec* spec = nullptr;
    QString manifestPath;      // auto split: where the split is recorded; empty: default
    bool writeManifest = true; // auto split: record new assignments
    ProgressCallback progress; // (files decoded, files in total), from worker threads
    const std::atomic<bool>* cancel = nullptr;
};

// Finds ROOT/{train,validation,test}/<class>/... (split names case-insensitive; val and valid
// accepted; test optional) or ROOT/<class>/... (split automatically, stratified, recorded).
// Decodes every file once, in parallel, to report those that cannot be used and identical
// images. Problems that leave a usable dataset are listed in the index; the others are a
// Failure that says what to do. The folders decide the split mode; settings.splitMode is only
// compared with them. Runs on the calling thread plus workers.
Result<DatasetIndex> scanDataset(const DatasetSettings& settings, const ScanOptions& options = {});

} // namespace studio
