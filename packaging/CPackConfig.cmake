set(CPACK_PACKAGE_NAME "classifier-studio")
