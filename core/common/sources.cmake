# studio::common: results, atomic files, number ranges, the settings' field type, CSV cells and
# the LibTorch runtime set-up.
studio_core_module(common
    SOURCES
        common/atomicfile.cpp
        common/atomicfile.h
        common/csv.cpp
        common/csv.h
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
