# Sources of core/training, relative to core/.
list(APPEND STUDIO_CORE_SOURCES
    training/advice.cpp
    training/advice.h
    training/callbacks.cpp
    training/checkpoint.cpp
    training/checkpoint_p.h
    training/distributed.cpp
    training/distributed_p.h
    training/callbacks.h
    training/eventsreader.cpp
    training/eventsreader.h
    training/history.cpp
    training/history.h
    training/runfolder.cpp
    training/runfolder.h
    training/runtime.cpp
    training/trainer.cpp
    training/trainer.h
    training/trainingevents.cpp
    training/trainingevents.h
    training/trainingschema.cpp
    training/trainingschema.h
    training/trainingsettings.h
    training/transfer.cpp
    training/transfer_p.h
)

# Torch-free: copying a run folder and reading events.jsonl need Qt only, so these compile
# without torch's precompiled header.
set_source_files_properties(training/runfolder.cpp training/eventsreader.cpp training/advice.cpp
    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
set_source_files_properties(training/trainingschema.cpp PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
