# studio::dataset: finding, decoding, splitting, caching and augmenting images.
studio_core_module(dataset
    SOURCES
        dataset/augmenter.cpp
        dataset/augmenter.h
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
        dataset/imageformats.cpp
        dataset/imageformats.h
        dataset/parallel.cpp
        dataset/parallel_p.h
        dataset/random_p.h
        dataset/rawimage.cpp
        dataset/rawimage.h
        dataset/scanreport.cpp
        dataset/scanreport.h
        dataset/splitmanifest.cpp
        dataset/splitmanifest.h
        dataset/tiffreader.cpp
        dataset/tiffreader.h
    WITH_TORCH
        dataset/batchloader.cpp
    DEPENDS common
)
# Every TIFF is read through libtiff (tiffreader.cpp): OpenCV drops samples and pages.
target_link_libraries(studio_dataset PRIVATE TIFF::TIFF)
