# studio::training: the trainer, callbacks, checkpoints, run folders, distributed runs and the
# end-of-run export.
studio_core_module(training
    SOURCES
        training/advice.cpp
        training/advice.h
        training/callbacks.cpp
        training/checkpoint.cpp
        training/checkpoint_p.h
        training/distributed.cpp
        training/distributed_p.h
        training/callbacks.h
        training/eventsfile.cpp
        training/eventsfile_p.h
        training/eventsreader.cpp
        training/eventsreader.h
        training/fitloop.cpp
        training/fitloop_p.h
        training/history.cpp
        training/history.h
        training/runexport.cpp
        training/runexport_p.h
        training/runfolder.cpp
        training/runlog.cpp
        training/runlog_p.h
        training/runfolder.h
        training/session_p.h
        training/stepsync.cpp
        training/stepsync_p.h
        training/trainer.cpp
        training/trainer.h
        training/trainingevents.cpp
        training/trainingevents.h
        training/transfer.cpp
        training/transfer_p.h
        training/weightsnapshot.cpp
        training/weightsnapshot_p.h
    DEPENDS common dataset model project export evaluation
)

# Torch-free: copying a run folder and reading events.jsonl need Qt only, so these compile
# without torch's precompiled header.
set_source_files_properties(training/runfolder.cpp training/eventsreader.cpp training/advice.cpp
    training/runlog.cpp training/eventsfile.cpp
    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
