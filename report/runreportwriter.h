// The report for the methods section: a run's or a cross-validation's dataset, preprocessing,
// network, training, results and reproducibility, with a generated "Methods" paragraph, written
// as PDF (QTextDocument printed by QPdfWriter) or as self-contained HTML (images embedded).
#pragma once

#include "common/result.h"

#include <QImage>
#include <QMap>
#include <QString>

namespace studio {

// A report before it is written: HTML whose images are referenced as "report:NAME", and the
// images.
struct ReportContent
{
    QString title;
    QString html;
    QMap<QString, QImage> images;
    QString methods; // the generated Methods paragraph, also in the HTML
};

// The report of a run folder, or of a cross-validation folder (one with crossval.json). A
// folder that is neither is a Failure that says what to choose.
Result<ReportContent> buildReport(const QString& dir);

// Writes `content` to outPath: PDF for ".pdf", self-contained HTML for ".html" or ".htm"; any
// other extension is a Failure naming it. Written to a temporary file, then renamed. Needs a
// QGuiApplication (the PDF's text is laid out with Qt Gui's fonts).
Status writeReport(const ReportContent& content, const QString& outPath);

// buildReport(dir), then writeReport().
Status writeRunReport(const QString& dir, const QString& outPath);

} // namespace studio
