#include "common/csv.h"

namespace studio {

QString csvCell(const QString& text)
{
    QString cell = text;
    if (!cell.isEmpty() && (cell[0] == QLatin1Char('=') || cell[0] == QLatin1Char('+') ||
                            cell[0] == QLatin1Char('-') || cell[0] == QLatin1Char('@'))) {
        cell.prepend(QLatin1Char('\''));
    }
    if (cell.contains(QLatin1Char(',')) || cell.contains(QLatin1Char('"')) ||
        cell.contains(QLatin1Char('\n')) || cell.contains(QLatin1Char('\r'))) {
        cell.replace(QLatin1String("\""), QLatin1String("\"\""));
        cell = QLatin1Char('"') + cell + QLatin1Char('"');
    }
    return cell;
}

} // namespace studio
