// A most-recent-first list of paths kept in QSettings (recent projects, recent dataset folders),
// shown as a menu whose entries emit the chosen path.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QMenu;

namespace studio {

class RecentFiles : public QObject
{
    Q_OBJECT

public:
    // `key` is the QSettings key ("recent/projects").
    RecentFiles(const QString& key, int maximum, QObject* parent = nullptr);

    QStringList paths() const;
    // Puts `path` first (absolute), dropping its older entry and the ones beyond the maximum.
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

    // Keeps `menu` filled with the paths; choosing one emits chosen().
    void attachMenu(QMenu* menu);

Q_SIGNALS:
    void chosen(const QString& path);
    void changed();

private:
    void store(const QStringList& paths);
    void fillMenu(QMenu* menu);

    QString m_key;
    int m_maximum;
};

} // namespace studio
