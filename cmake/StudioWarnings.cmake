# studio::warnings: the shared warning flags; -Werror when the CI environment variable is set.
add_library(studio_warnings INTERFACE)
add_library(studio::warnings ALIAS studio_warnings)
target_compile_options(studio_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND NOT "$ENV{CI}" STREQUAL "false")
    target_compile_options(studio_warnings INTERFACE -Werror)
    message(STATUS "CI build: warnings are errors")
endif()
