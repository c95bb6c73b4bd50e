// The Data page's welcome on the first start (no recent project): the three ways to begin and
// one sentence on each step of the left column.
#pragma once

#include <QFrame>

namespace studio {

// A short welcome: open the example dataset, choose a folder, or open a project.
class WelcomePanel : public QFrame
{
    Q_OBJECT

public:
    explicit WelcomePanel(QWidget* parent = nullptr);

    // The step sentences, in the order of the left column (Data, Model, Train, Evaluate,
    // Classify).
    static QStringList stepSentences();

Q_SIGNALS:
    void exampleRequested();
    void folderRequested();
    void projectRequested();
};

} // namespace studio
