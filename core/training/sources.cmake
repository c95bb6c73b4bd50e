# Sources of core/training, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    training/callbacks.cpp
    training/checkpoint.cpp
    training/checkpoint_p.h
    training/distributed.cpp
    training/distributed_p.h
    training/callbacks.h
    training/history.cpp
    training/history.h
    training/runtime.cpp
    training/trainer.cpp
    training/trainer.h
    training/trainingevents.cpp
    training/trainingevents.h
    training/trainingsettings.h
)
