#include "uimetatypes.h"

namespace studio {

void registerUiMetaTypes()
{
    qRegisterMetaType<LoadingEvent>();
    qRegisterMetaType<RunStartedEvent>();
    qRegisterMetaType<BatchEvent>();
    qRegisterMetaType<EpochEvent>();
    qRegisterMetaType<AdviceEvent>();
    qRegisterMetaType<RunEndedEvent>();
    qRegisterMetaType<EvaluationMetrics>();
    qRegisterMetaType<Prediction>();
    qRegisterMetaType<QVector<Prediction>>();
    qRegisterMetaType<ModelMetadata>();
    qRegisterMetaType<FoldScore>();
    qRegisterMetaType<QVector<QImage>>();
}

} // namespace studio
