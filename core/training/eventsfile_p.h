// Private to core: the run's events.jsonl, which other processes read to follow a run.
#pragma once

#include "training/trainer.h"

#include <QFile>
#include <QJsonObject>

namespace studio {

// Writes every event as a JSON line to the run's events.jsonl (what `--json` prints), so other
// processes can follow the run, and passes it on to the caller's observer.
class EventsFile : public TrainingObserver
{
public:
    EventsFile(const QString& path, TrainingObserver* next);
    void runStarted(const RunStartedEvent& event) override;
    void batchDone(const BatchEvent& event) override;
    void epochDone(const EpochEvent& event) override;
    void advice(const AdviceEvent& event) override;
    void runEnded(const RunEndedEvent& event) override;

private:
    void write(const QJsonObject& object);

    QFile m_file;
    TrainingObserver* m_next;
    bool m_open = false;
};

} // namespace studio
