# studio::training: the trainer, callbacks, checkpoints, run folders, distributed runs and the
# end-of-run export.
studio_core_module(training
    SOURCES
        training/advice.cpp
        training/advice.h
        training/callbacks.cpp
        training/checkpoint_p.h
        training/distributed_p.h
        training/callbacks.h
        training/eventsfile.cpp
        training/eventsfile_p.h
        training/eventsreader.cpp
        training/eventsreader.h
        training/fitloop_p.h
        training/fusedadam_p.h
        training/optimizers_p.h
        training/history.cpp
        training/history.h
        training/mixedprecision_p.h
        training/runexport_p.h
        training/runfolder.cpp
        training/runlock.cpp
        training/runlock.h
        training/runlog.cpp
        training/runlog_p.h
        training/runfolder.h
        training/session_p.h
        training/stepsync_p.h
        training/trainer.h
        training/trainingevents.cpp
        training/trainingevents.h
        training/transfer_p.h
        training/weightsnapshot_p.h
    WITH_TORCH
        training/checkpoint.cpp
        training/distributed.cpp
        training/fitloop.cpp
        training/fusedadam.cpp
        training/mixedprecision.cpp
        training/optimizers.cpp
        training/runexport.cpp
        training/stepsync.cpp
        training/trainer.cpp
        training/transfer.cpp
        training/weightsnapshot.cpp
    DEPENDS common dataset model project export evaluation
)
# The fused optimizer's loop takes square roots; without errno they vectorise. (The precompiled
# header is built with errno, so this file parses its few torch headers itself.)
set_source_files_properties(training/fusedadam.cpp PROPERTIES
    COMPILE_OPTIONS -fno-math-errno SKIP_PRECOMPILE_HEADERS ON)
