# Sources of core/dataset, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    dataset/datasetsettings.h
    dataset/fashionmnist.cpp
    dataset/fashionmnist.h
    dataset/idxreader.cpp
    dataset/idxreader.h
)
