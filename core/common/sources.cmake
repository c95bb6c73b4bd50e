# studio::common: results, atomic files, JSON files, number ranges, the settings' field type, CSV cells, the
# LibTorch runtime set-up, the name of the BLAS library it runs on and the environment a run
# records.
studio_core_module(common
    SOURCES
        common/atomicfile.cpp
        common/atomicfile.h
        common/blaslibrary.cpp
        common/blaslibrary.h
        common/csv.cpp
        common/csv.h
        common/environment.cpp
        common/environment.h
        common/jsonfile.cpp
        common/jsonfile.h
        common/numberrange.cpp
        common/nativepath.h
        common/numberrange.h
        common/result.h
        common/runtime.h
        common/settingfield.cpp
        common/settingfield.h
    WITH_TORCH
        common/runtime.cpp
)
