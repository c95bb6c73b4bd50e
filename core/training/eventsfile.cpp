#include "training/eventsfile_p.h"

#include <QJsonDocument>

namespace studio {

EventsFile::EventsFile(const QString& path, TrainingObserver* next) : m_file(path), m_next(next)
{
    m_open = m_file.open(QIODevice::WriteOnly | QIODevice::Append);
}

void EventsFile::runStarted(const RunStartedEvent& event)
{
    write(toJson(event));
    if (m_next != nullptr) {
        m_next->runStarted(event);
    }
}

void EventsFile::batchDone(const BatchEvent& event)
{
    write(toJson(event));
    if (m_next != nullptr) {
        m_next->batchDone(event);
    }
}

void EventsFile::epochDone(const EpochEvent& event)
{
    write(toJson(event));
    if (m_next != nullptr) {
        m_next->epochDone(event);
    }
}

void EventsFile::advice(const AdviceEvent& event)
{
    write(toJson(event));
    if (m_next != nullptr) {
        m_next->advice(event);
    }
}

void EventsFile::runEnded(const RunEndedEvent& event)
{
    write(toJson(event));
    if (m_next != nullptr) {
        m_next->runEnded(event);
    }
}

void EventsFile::write(const QJsonObject& object)
{
    if (m_open) {
        m_file.write(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
        m_file.flush();
    }
}

} // namespace studio
