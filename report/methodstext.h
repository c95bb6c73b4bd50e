// The generated "Methods" paragraph of a report: how the classifier was made and how well it
// did, in plain English that a scientist can paste into a paper and edit.
#pragma once

#include <QString>

namespace studio {

struct RunReport;
struct CrossValidationReport;

// The paragraph of a run; with `crossValidation` (of which `run` is the first fold), of the
// cross-validation, with its mean ± standard deviation.
QString methodsParagraph(const RunReport& run, const CrossValidationReport* crossValidation);

} // namespace studio
