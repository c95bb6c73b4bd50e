#include "recentfiles.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QPointer>
#include <QSettings>

namespace studio {

RecentFiles::RecentFiles(const QString& key, int maximum, QObject* parent)
    : QObject(parent), m_key(key), m_maximum(maximum)
{}

QStringList RecentFiles::paths() const
{
    return QSettings().value(m_key).toStringList();
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = paths();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > m_maximum) {
        list.removeLast();
    }
    store(list);
}

void RecentFiles::remove(const QString& path)
{
    QStringList list = paths();
    if (list.removeAll(path) > 0) {
        store(list);
    }
}

void RecentFiles::clear()
{
    store({});
}

void RecentFiles::attachMenu(QMenu* menu)
{
    QPointer<QMenu> guarded(menu);
    fillMenu(menu);
    // Queued: the menu may be cleared from one of its own actions.
    connect(
        this, &RecentFiles::changed, menu,
        [this, guarded] {
            if (guarded) {
                fillMenu(guarded);
            }
        },
        Qt::QueuedConnection);
}

void RecentFiles::store(const QStringList& paths)
{
    QSettings().setValue(m_key, paths);
    Q_EMIT changed();
}

void RecentFiles::fillMenu(QMenu* menu)
{
    menu->clear();
    const QStringList list = paths();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list[i];
        const QString label = QStringLiteral("&%1 %2").arg(i + 1).arg(
            QDir::toNativeSeparators(path).replace(QLatin1Char('&'), QLatin1String("&&")));
        QAction* action = menu->addAction(label);
        action->setToolTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT chosen(path); });
    }
    if (list.isEmpty()) {
        menu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    connect(menu->addAction(tr("Clear List")), &QAction::triggered, this, &RecentFiles::clear);
}

} // namespace studio
