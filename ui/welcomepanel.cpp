#include "welcomepanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace studio {

namespace {

QPushButton* startButton(const QString& name, const QString& text, const QString& tip)
{
    auto* button = new QPushButton(text);
    button->setObjectName(name);
    button->setToolTip(tip);
    return button;
}

} // namespace

WelcomePanel::WelcomePanel(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("welcomePanel"));
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<b>Welcome to Classifier Studio.</b> Teach a network to sort "
                                "your images into classes, from a folder of examples."));
    title->setWordWrap(true);
    layout->addWidget(title);

    auto* buttons = new QHBoxLayout;
    QPushButton* example = startButton(
        QStringLiteral("welcomeExample"), tr("Open the Example Dataset"),
        tr("Fashion-MNIST, 70,000 small pictures of clothes in 10 classes: written once to "
           "~/ClassifierStudio/fashion-mnist, then opened."));
    QPushButton* folder = startButton(QStringLiteral("welcomeFolder"), tr("Choose a Folder..."),
                                      tr("A folder of class folders (or of train/, validation/ "
                                         "and test/ folders of class folders)."));
    QPushButton* project = startButton(QStringLiteral("welcomeProject"), tr("Open a Project..."),
                                       tr("A project file saved earlier (.json)."));
    connect(example, &QPushButton::clicked, this, &WelcomePanel::exampleRequested);
    connect(folder, &QPushButton::clicked, this, &WelcomePanel::folderRequested);
    connect(project, &QPushButton::clicked, this, &WelcomePanel::projectRequested);
    buttons->addWidget(example);
    buttons->addWidget(folder);
    buttons->addWidget(project);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    const QStringList steps = {tr("Data"), tr("Model"), tr("Train"), tr("Evaluate"),
                               tr("Classify")};
    const QStringList sentences = stepSentences();
    QString text;
    for (int i = 0; i < steps.size(); ++i) {
        text += QStringLiteral("<b>%1.</b> %2<br>").arg(steps[i], sentences[i]);
    }
    auto* list = new QLabel(text);
    list->setObjectName(QStringLiteral("welcomeSteps"));
    list->setWordWrap(true);
    layout->addWidget(list);
}

QStringList WelcomePanel::stepSentences()
{
    return {tr("Choose the images: one folder per class; they are counted, checked and split "
               "into training, validation and test images."),
            tr("Choose the network: a template fits most images; each layer's output and size "
               "are shown."),
            tr("Train it and watch it learn: the curves show when it starts to memorise instead "
               "of learning."),
            tr("See how good it is on images it never saw, and which images it gets wrong."),
            tr("Sort new images with it, and export it for Python or other programs.")};
}

} // namespace studio
