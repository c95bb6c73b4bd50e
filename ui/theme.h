// The light and dark themes: a dark palette for the application, and QCustomPlot charts whose
// colours follow the widget palette (QCustomPlot's defaults are black on white in any theme).
#pragma once

#include <QPalette>

class QCustomPlot;

namespace studio {

// A dark palette for the Fusion style (the View menu's Dark Theme).
QPalette darkPalette();

// Paints `plot`'s background, axes, grid, legend and titles in `palette`'s colours.
void applyPlotPalette(QCustomPlot* plot, const QPalette& palette);

// Applies plot->palette() now and again whenever the palette or style changes (and replots).
void followPalette(QCustomPlot* plot);

} // namespace studio
