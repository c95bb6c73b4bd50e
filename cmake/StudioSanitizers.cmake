# STUDIO_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer;
# STUDIO_TSAN=ON with ThreadSanitizer instead (the two cannot share a process).
option(STUDIO_SANITIZE "Build with address and undefined-behaviour sanitizers" OFF)
option(STUDIO_TSAN "Build with ThreadSanitizer (ctest --preset tsan runs the tests labelled threads)" OFF)
if(STUDIO_SANITIZE AND STUDIO_TSAN)
    message(FATAL_ERROR "STUDIO_SANITIZE (address, undefined) and STUDIO_TSAN (thread) cannot be "
                        "combined: ThreadSanitizer and AddressSanitizer do not link into one "
                        "program. Configure a separate build folder for each: cmake --preset asan, "
                        "cmake --preset tsan")
endif()
if(STUDIO_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
if(STUDIO_TSAN)
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
endif()
if(STUDIO_SANITIZE OR STUDIO_TSAN)
    # GCC 12's -Wmaybe-uninitialized misfires on LibTorch's c10::optional<at::Generator> once the
    # sanitizers change inlining (c10/util/intrusive_ptr.h); after -Wall, so that it sticks.
    target_compile_options(studio_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
