// Private to core: the run's log.txt, one timestamped line per event of the run.
#pragma once

#include <QFile>
#include <QString>

namespace studio {

// Appends timestamped lines to the run's log.txt.
class RunLog
{
public:
    // An empty path logs nothing (the processes of a distributed run other than rank 0).
    explicit RunLog(const QString& path);
    void write(const QString& line);

private:
    QFile m_file;
    bool m_open = false;
};

} // namespace studio
