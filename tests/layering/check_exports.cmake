# Fails when an executable exports Qt symbols. Debian's LibTorch loads Qt 5 Widgets (through
# opencv_highgui) into our processes; an exported inline Qt 6 function would be bound by Qt 5's
# initialisers and crash at start-up. Hidden visibility prevents it; this test keeps it so.
foreach(binary IN LISTS BINARIES)
    execute_process(COMMAND nm -D --defined-only "${binary}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "nm failed on ${binary}")
    endif()
    string(REGEX MATCHALL "[^\n]*_ZN?K?[0-9]+Q[A-Za-z]+[^\n]*" qt_symbols "${symbols}")
    if(qt_symbols)
        list(LENGTH qt_symbols n)
        list(GET qt_symbols 0 first)
        message(FATAL_ERROR "${binary} exports ${n} Qt symbols, e.g. ${first}. Keep "
                            "CMAKE_CXX_VISIBILITY_PRESET hidden and VISIBILITY_INLINES_HIDDEN on.")
    endif()
endforeach()
message(STATUS "no executable exports Qt symbols")
