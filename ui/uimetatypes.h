// The core value types that travel in queued signals between worker threads and pages.
#pragma once

#include "evaluation/metrics.h"
#include "export/predictor.h"
#include "runs/crossvalidation.h"
#include "training/trainingevents.h"

#include <QImage>
#include <QMetaType>
#include <QVector>

Q_DECLARE_METATYPE(studio::LoadingEvent)
Q_DECLARE_METATYPE(studio::RunStartedEvent)
Q_DECLARE_METATYPE(studio::BatchEvent)
Q_DECLARE_METATYPE(studio::EpochEvent)
Q_DECLARE_METATYPE(studio::AdviceEvent)
Q_DECLARE_METATYPE(studio::RunEndedEvent)
Q_DECLARE_METATYPE(studio::EvaluationMetrics)
Q_DECLARE_METATYPE(studio::Prediction)
Q_DECLARE_METATYPE(studio::ModelMetadata)
Q_DECLARE_METATYPE(studio::FoldScore)

namespace studio {

// Registers the types above with Qt's meta-type system (idempotent, cheap).
void registerUiMetaTypes();

} // namespace studio
