// classifier-cli commands of the model area.
#include "clicommand.h"

namespace studio::cli {

QVector<CliCommand> modelCommands()
{
    return {};
}

} // namespace studio::cli
