// The channels of one image side by side: each in grey with its intensity histogram, and
// their composite in false colours, so a scientist sees which channel shows what.
#pragma once

#include "channelcomposite.h"

#include <QWidget>

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

    static constexpr int kImageSide = 160;

private:
    void clearPanels();
    QWidget* channelPanel(int channel);
    QWidget* compositePanel();

    ChannelPreview m_preview;
    QLabel* m_caption = nullptr;
    QGridLayout* m_grid = nullptr;
    int m_panels = 0;
};

} // namespace studio
