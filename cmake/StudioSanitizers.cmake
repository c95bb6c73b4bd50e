# STUDIO_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
option(STUDIO_SANITIZE "Build with address and undefined-behaviour sanitizers" OFF)
if(STUDIO_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
    # GCC 12's -Wmaybe-uninitialized misfires on LibTorch's c10::optional<at::Generator> once the
    # sanitizers change inlining (c10/util/intrusive_ptr.h); after -Wall, so that it sticks.
    target_compile_options(studio_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
