# Sources of core/common, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    common/atomicfile.cpp
    common/atomicfile.h
    common/numberrange.cpp
    common/numberrange.h
    common/settingfield.cpp
    common/settingfield.h
    common/result.h
)
set_source_files_properties(common/numberrange.cpp common/settingfield.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
