#include "methodstext.h"

#include "runreport.h"

#include "project/settingsschema.h"

#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

QString percent(double fraction)
{
    return QStringLiteral("%1%").arg(fraction * 100, 0, 'f', 1);
}

QString number(qint64 value)
{
    return formatThousands(value);
}

// "grayscale", "RGB" or "3-channel" images.
QString imageKind(const RunReport& r)
{
    const int channels = r.summary.input.channels;
    if (!r.project.dataset.channelList.isEmpty()) {
        return QStringLiteral("%1-channel").arg(channels);
    }
    return channels == 1 ? QStringLiteral("greyscale") : QStringLiteral("RGB");
}

// The augmentation settings that differ from their defaults, as "label value".
QString augmentationText(const RunReport& r)
{
    if (!r.project.augmentation.enabled) {
        return QStringLiteral("Training images were not augmented.");
    }
    const QJsonObject json = QJsonDocument::fromJson(projectToJson(r.project)).object();
    QStringList changed;
    for (const SettingField* field : allSettingFields()) {
        if (field->section != QLatin1String("augmentation") ||
            field->key == QLatin1String("enabled")) {
            continue;
        }
        const QJsonValue value = json.value(field->section).toObject().value(field->key);
        if (!value.isUndefined() && value != field->defaultValue) {
            changed << QStringLiteral("%1 (%2) %3")
                           .arg(field->label.toLower(), field->kerasName(),
                                settingValueText(json, field->path()));
        }
    }
    return changed.isEmpty()
               ? QStringLiteral("Training images were not augmented (every augmentation setting "
                                "was at its neutral default).")
               : QStringLiteral("Training images were augmented at random: %1.")
                     .arg(changed.join(QStringLiteral("; ")));
}

// How the images were split, in a clause: "by the dataset's train/validation/test folders".
QString splitText(const DatasetSettings& d)
{
    if (d.splitMode == SplitMode::Folders) {
        return QStringLiteral("by the dataset's own train, validation and test folders");
    }
    return QStringLiteral("at random, stratified by class, into %1% training, %2% validation and "
                          "%3% test images (split seed %4%5)")
        .arg(d.trainRatio * 100, 0, 'g', 3)
        .arg(d.validationRatio * 100, 0, 'g', 3)
        .arg(d.testRatio * 100, 0, 'g', 3)
        .arg(d.splitSeed)
        .arg(d.groupBy != GroupBy::None ? QStringLiteral(", images of one group kept together")
                                        : QString());
}

// How sample values became the network's input, in a clause.
QString normalizationText(const DatasetSettings& d)
{
    switch (d.normalization) {
    case Normalization::Range:
        return QStringLiteral("the value range [%1, %2] mapped to [0, 1]")
            .arg(d.rangeLow)
            .arg(d.rangeHigh);
    case Normalization::Percentile:
        return QStringLiteral("each image's %1th to %2th percentiles mapped to [0, 1] per channel")
            .arg(d.percentileLow)
            .arg(d.percentileHigh);
    case Normalization::Standardize:
        return QStringLiteral("each channel standardised with the mean and standard deviation of "
                              "the training images");
    case Normalization::Rescale:
    case Normalization::Legacy:
        break;
    }
    if (std::abs(d.rescale * 255 - 1) < 1e-9) {
        return QStringLiteral("values multiplied by 1/255");
    }
    return QStringLiteral("values multiplied by %1").arg(d.rescale, 0, 'g', 6);
}

QString datasetText(const RunReport& r)
{
    const DatasetSettings& d = r.project.dataset;
    QString text = QStringLiteral("The dataset held ");
    if (r.hasStarted) {
        text += QStringLiteral("%1 training, %2 validation and %3 test images")
                    .arg(number(r.started.trainImages), number(r.started.validationImages),
                         number(r.started.testImages));
    } else {
        text += QStringLiteral("images");
    }
    return text + QStringLiteral(" of %1 classes (%2), split %3. Images were resized to %4 x %4 "
                                 "px (%5), with %6.")
                      .arg(r.classes.size())
                      .arg(r.classes.join(QStringLiteral(", ")), splitText(d))
                      .arg(d.imageSize)
                      .arg(d.resize == ResizeMode::Pad    ? QStringLiteral("padded to a square")
                           : d.resize == ResizeMode::Crop ? QStringLiteral("the centre square cut")
                                                          : QStringLiteral("stretched to a square"),
                           normalizationText(d));
}

QString trainingText(const RunReport& r)
{
    const TrainingSettings& t = r.project.training;
    QString text =
        QStringLiteral("The network (%1 layers, %2 parameters) was trained with %3, learning rate "
                       "%4%5 and batch size %6 for %7 of %8 epochs to minimise the categorical "
                       "cross-entropy, with random seed %9.")
            .arg(r.summary.layers.size())
            .arg(number(r.summary.totalParams), describeOptimizer(t))
            .arg(t.learningRate)
            .arg(t.decay > 0 ? QStringLiteral(", decay %1").arg(t.decay) : QString())
            .arg(t.batchSize)
            .arg(r.history.size())
            .arg(t.epochs)
            .arg(t.seed);
    if (!r.callbackActions.isEmpty()) {
        text += QLatin1Char(' ') + r.callbackActions.join(QLatin1Char(' '));
    }
    return text;
}

QString resultText(const RunReport& r, const CrossValidationReport* cv)
{
    if (cv != nullptr) {
        const CrossValidationSummary& s = cv->summary;
        return QStringLiteral("In %1-fold cross-validation%2 (each fold's model tested on the "
                              "images it was not trained on), accuracy was %3 ± %4 and balanced "
                              "accuracy %5 ± %6 (mean ± standard deviation over %7 runs).")
            .arg(s.folds)
            .arg(s.repeats > 1 ? QStringLiteral(" repeated %1 times").arg(s.repeats) : QString())
            .arg(percent(s.accuracy.mean), percent(s.accuracy.sd), percent(s.balancedAccuracy.mean),
                 percent(s.balancedAccuracy.sd))
            .arg(s.scores.size());
    }
    if (!r.hasEvaluation) {
        return QStringLiteral("The run has no test evaluation.");
    }
    const EvaluationMetrics& m = r.evaluation;
    QString text =
        QStringLiteral("On the %1 held-out test images the model reached an accuracy "
                       "of %2 (95% confidence interval %3–%4, Wilson) and a balanced "
                       "accuracy of %5 (95% confidence interval %6–%7)")
            .arg(number(m.count), percent(m.accuracy), percent(m.accuracyInterval.low),
                 percent(m.accuracyInterval.high), percent(m.balancedAccuracy),
                 percent(m.balancedAccuracyInterval.low), percent(m.balancedAccuracyInterval.high));
    if (!std::isnan(m.macroAverage.rocAuc)) {
        text += QStringLiteral("; the macro-averaged ROC AUC (each class against the rest) was %1")
                    .arg(m.macroAverage.rocAuc, 0, 'f', 3);
    }
    return text + QLatin1Char('.');
}

} // namespace

QString methodsParagraph(const RunReport& r, const CrossValidationReport* cv)
{
    const QString software =
        r.environment.isEmpty()
            ? QStringLiteral("Classifier Studio")
            : QStringLiteral("%1 (LibTorch %2)").arg(r.environment.app, r.environment.libtorch);
    const bool convolutional =
        std::any_of(r.summary.layers.begin(), r.summary.layers.end(),
                    [](const LayerSummary& layer) { return layer.type == LayerType::Conv2D; });
    return QStringLiteral("We trained a %1neural network to classify %2 images into %3 classes "
                          "with %4. %5 %6 %7 %8")
        .arg(convolutional ? QStringLiteral("convolutional ") : QString())
        .arg(imageKind(r))
        .arg(r.classes.size())
        .arg(software, datasetText(r), augmentationText(r), trainingText(r), resultText(r, cv));
}

} // namespace studio
