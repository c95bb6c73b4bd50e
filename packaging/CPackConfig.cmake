# CPack: a .deb with both executables, the desktop entry and the icon. Runtime dependencies are
# computed from the binaries by dpkg-shlibdeps, plus the packages loaded at run time.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "classifier-studio")
set(CPACK_PACKAGE_VENDOR "Classifier Studio")
set(CPACK_PACKAGE_CONTACT "Classifier Studio developers <classifier-studio@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "classifier-studio")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time rather than linked: the SVG icon plug-in and the example data.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
# OpenBLAS for OpenMP threads: LibTorch's Dense layers run about twice as fast as on the
# reference BLAS (tests/bench/bench_blas.py).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist, libopenblas0-openmp")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Train an image classifier from a folder of images, without writing code.\n Classifier Studio follows the Keras tutorial workflow: point at class folders,\n choose loading and augmentation, build the network layer by layer, train while\n the curves update, inspect the confusion matrix and export a TorchScript model.\n classifier-cli runs the same engine headless.")
include(CPack)
