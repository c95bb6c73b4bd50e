# studio::dataset: finding, decoding, splitting, caching and augmenting images.
studio_core_module(dataset
    SOURCES
        dataset/augmenter.cpp
        dataset/augmenter.h
        dataset/batchloader.cpp
        dataset/batchloader_p.h
        dataset/batchproducer.cpp
        dataset/batchproducer.h
        dataset/datasetindex.cpp
        dataset/datasetindex.h
        dataset/datasetscanner.cpp
        dataset/datasetscanner.h
        dataset/datasetschema.cpp
        dataset/datasetschema.h
        dataset/datasetsettings.h
        dataset/folds.cpp
        dataset/folds.h
        dataset/fashionmnist.cpp
        dataset/fashionmnist.h
        dataset/idxreader.cpp
        dataset/idxreader.h
        dataset/imagecache.cpp
        dataset/imagecache.h
        dataset/imagedecoder.cpp
        dataset/imagedecoder.h
        dataset/parallel.cpp
        dataset/parallel_p.h
        dataset/random_p.h
        dataset/scanreport.cpp
        dataset/scanreport.h
        dataset/splitmanifest.cpp
        dataset/splitmanifest.h
    DEPENDS common
)

# Torch-free: grouping and folds need Qt only.
set_source_files_properties(dataset/folds.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
set_source_files_properties(dataset/datasetschema.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
