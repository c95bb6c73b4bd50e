# Sources of core/training, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    training/callbacks.cpp
    training/callbacks.h
    training/history.cpp
    training/history.h
    training/trainingevents.cpp
    training/trainingevents.h
    training/trainingsettings.h
)
