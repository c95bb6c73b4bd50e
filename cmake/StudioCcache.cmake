# Use ccache for every compile when it is installed (torch translation units are slow).
find_program(STUDIO_CCACHE ccache)
if(STUDIO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${STUDIO_CCACHE}")
    # Precompiled headers are only cacheable when ccache may ignore their mtime.
    set(ENV{CCACHE_SLOPPINESS} "pch_defines,time_macros,include_file_mtime,include_file_ctime")
    message(STATUS "ccache: ${STUDIO_CCACHE}")
endif()
