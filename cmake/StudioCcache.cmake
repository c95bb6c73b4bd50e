# Use ccache for every compile when it is installed (torch translation units are slow). The base
# directory makes paths relative, so fresh clones elsewhere (CI) reuse the same cache.
find_program(STUDIO_CCACHE ccache)
if(STUDIO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "${STUDIO_CCACHE}")
    message(STATUS "ccache: ${STUDIO_CCACHE}")
endif()
