# Use ccache for every compile when it is installed (torch translation units are slow). The base
# directory makes paths relative, so fresh clones elsewhere (CI) reuse the same cache.
find_program(STUDIO_CCACHE ccache)
if(STUDIO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "${STUDIO_CCACHE}")
    # Without this, ccache cannot cache a GCC translation unit that uses a precompiled header
    # (it falls back to preprocessing, finds the PCH and gives up: "could not use precompiled
    # header"), so every torch TU was compiled twice over for nothing.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fpch-preprocess>)
    endif()
    # With debug information (the sanitizer presets' -g1), ccache hashes the build folder too,
    # unless the compiler is told to write paths relative to the clone: without this, a fresh
    # clone in another folder (every CI run) compiled the sanitizer builds from scratch.
    add_compile_options(
        $<$<CONFIG:Debug,RelWithDebInfo>:-fdebug-prefix-map=${CMAKE_SOURCE_DIR}=.>)
    message(STATUS "ccache: ${STUDIO_CCACHE}")
endif()
