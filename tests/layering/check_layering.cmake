# Fails when a file of ui/ or app/, or a public header of core/, includes torch, ATen, c10 or
# OpenCV. Core headers ending in _p.h are private to core's .cpp files and may.
cmake_policy(VERSION 3.25)
file(GLOB_RECURSE front_end "${SOURCE_DIR}/ui/*.h" "${SOURCE_DIR}/ui/*.cpp"
                            "${SOURCE_DIR}/app/*.h" "${SOURCE_DIR}/app/*.cpp")
file(GLOB_RECURSE core_headers "${SOURCE_DIR}/core/*.h")
list(FILTER core_headers EXCLUDE REGEX "(_p\\.h|/pch\\.h)$")
set(offenders "")
foreach(file IN LISTS front_end core_headers)
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](torch|ATen|c10|opencv2|caffe2)/")
    if(lines)
        list(APPEND offenders "${file}: ${lines}")
    endif()
endforeach()
if(offenders)
    list(JOIN offenders "\n  " text)
    message(FATAL_ERROR "torch/OpenCV included outside core's .cpp files:\n  ${text}")
endif()
list(LENGTH front_end n1)
list(LENGTH core_headers n2)
message(STATUS "layering ok: ${n1} ui/app files and ${n2} core headers are free of torch and OpenCV")

