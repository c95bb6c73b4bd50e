# studio::common: results, atomic files, number ranges, the settings' field type, CSV cells and
# the LibTorch runtime set-up.
studio_core_module(common
    SOURCES
        common/atomicfile.cpp
        common/atomicfile.h
        common/csv.cpp
        common/csv.h
        common/numberrange.cpp
        common/numberrange.h
        common/result.h
        common/runtime.cpp
        common/runtime.h
        common/settingfield.cpp
        common/settingfield.h
)
set_source_files_properties(common/numberrange.cpp common/settingfield.cpp common/csv.cpp
    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
