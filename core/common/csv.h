// Text for CSV files that spreadsheets open safely.
#pragma once

#include <QString>

namespace studio {

// One CSV cell: quoted when it holds a comma, quote or line break, and prefixed with ' when
// it starts with =, +, - or @ so that spreadsheets do not run it as a formula.
QString csvCell(const QString& text);

} // namespace studio
