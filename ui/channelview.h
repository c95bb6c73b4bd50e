// The channels of one image side by side: each in grey with its intensity histogram as stored
// and as the network sees it after normalisation, a check box that picks it for the network,
// and their composite in false colours, so a scientist sees which channel shows what.
#pragma once

#include "channelcomposite.h"

#include <QWidget>

class QCheckBox;
class QGridLayout;
class QLabel;

namespace studio {

class ChannelView : public QWidget
{
    Q_OBJECT

public:
    explicit ChannelView(QWidget* parent = nullptr);

    // Shows the preview (or its error); an empty preview clears the view.
    void setPreview(const ChannelPreview& preview);
    // Shows `message` in place of any image.
    void showMessage(const QString& message);

    const ChannelPreview& preview() const { return m_preview; }
    // How many channel panels (composite not counted) are shown.
    int channelPanels() const { return m_panels; }
    // The channels of the last channelsPicked(), 0-based, in input order (the others' order
    // kept, a newly ticked one last).
    const QVector<int>& pickedChannels() const { return m_picked; }

    static constexpr int kImageSide = 160;

Q_SIGNALS:
    // The user ticked or cleared a channel's check box: pickedChannels() says what the network
    // should see now. (No QVector<int> argument: its metatype would export a Qt symbol.)
    void channelsPicked();

private:
    void clearPanels();
    QWidget* channelPanel(int channel);
    QWidget* compositePanel();
    QWidget* normalisedPart(int channel);
    void onChannelToggled(int channel, bool seen, QCheckBox* box);

    ChannelPreview m_preview;
    QLabel* m_caption = nullptr;
    QGridLayout* m_grid = nullptr;
    int m_panels = 0;
    QVector<int> m_picked;
};

} // namespace studio
