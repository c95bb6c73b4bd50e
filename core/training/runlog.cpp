#include "training/runlog_p.h"

#include <QDateTime>

namespace studio {

RunLog::RunLog(const QString& path) : m_file(path)
{
    m_open =
        !path.isEmpty() && m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

void RunLog::write(const QString& line)
{
    if (!m_open) {
        return;
    }
    const QString stamped =
        QDateTime::currentDateTime().toString(Qt::ISODate) + QLatin1Char(' ') + line + '\n';
    m_file.write(stamped.toUtf8());
    m_file.flush();
}

} // namespace studio
