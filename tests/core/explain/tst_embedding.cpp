// Maps of penultimate-layer features: PCA recovers the order of points on a line (checked
// against a hand computation), t-SNE separates three Gaussian clusters and is deterministic with
// its seed, and the features of grey, RGB and N-channel models have the input size of their last
// Dense layer; a whole map of a shapes dataset's test split and its CSV.
#include "explain/embedding.h"

#include "export/exporter_p.h"
#include "model/modelbuilder_p.h"
#include "shapesdataset.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>
#include <random>

using namespace studio;

// Tests of core/explain/embedding.
class TestEmbedding : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void methodNames();
    void pcaOnALine();
    void pcaNeedsTwoPoints();
    void tsneSeparatesClusters();
    void tsneIsDeterministic();
    void featureDimension_data();
    void featureDimension();
    void noDenseLayer();
    void mapOfASplit();

private:
    QTemporaryDir m_dir;
};

namespace {

// Three Gaussian clusters of `each` points in 10-D, centres 10 apart, unit spread.
FeatureMatrix clusters(int each, std::vector<int>* labels)
{
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    FeatureMatrix m;
    m.rows = 3 * each;
    m.columns = 10;
    for (int c = 0; c < 3; ++c) {
        for (int i = 0; i < each; ++i) {
            for (int d = 0; d < m.columns; ++d) {
                m.values.push_back((d == c ? 10.0f : 0.0f) + normal(rng));
            }
            labels->push_back(c);
        }
    }
    return m;
}

// Builds `model` with seeded random weights and saves it.
QString saveModel(const ModelSpec& model, const DatasetSettings& settings,
                  const QStringList& classes, const QString& path)
{
    torch::manual_seed(3);
    const ModelMetadata metadata = makeModelMetadata(model, settings, classes);
    Result<torch::nn::Sequential> built =
        buildModule(model, {metadata.imageSize(), metadata.imageSize(), metadata.channels()},
                    int(classes.size()));
    if (!built) {
        return built.error();
    }
    const Status saved = exportTorchScript(*built, metadata, path);
    return saved ? QString() : saved.error();
}

QStringList threeClasses()
{
    return {QStringLiteral("bars"), QStringLiteral("discs"), QStringLiteral("squares")};
}

} // namespace

void TestEmbedding::methodNames()
{
    QCOMPARE(embeddingMethodFromName(QStringLiteral("PCA")), EmbeddingMethod::Pca);
    QCOMPARE(embeddingMethodFromName(QStringLiteral("t-SNE")), EmbeddingMethod::Tsne);
    QVERIFY(!embeddingMethodFromName(QStringLiteral("umap")).has_value());
    QCOMPARE(embeddingMethodName(EmbeddingMethod::Tsne), QStringLiteral("tsne"));
}

// Points t * (1, 2, 2) / 3 + (5, -1, 2) for t in {3, 0, 10, 1, 2}: the direction has length 1, so
// by hand the first component is t - mean(t) = t - 3.2 (the farthest, 6.8, positive) and the
// second is 0.
void TestEmbedding::pcaOnALine()
{
    const std::vector<double> t = {3, 0, 10, 1, 2};
    FeatureMatrix m;
    m.rows = int(t.size());
    m.columns = 3;
    for (double v : t) {
        m.values.push_back(float(5 + v / 3));
        m.values.push_back(float(-1 + 2 * v / 3));
        m.values.push_back(float(2 + 2 * v / 3));
    }
    const Result<std::vector<double>> xy = projectPca(m);
    QVERIFY2(xy.ok(), qPrintable(xy.error()));
    QCOMPARE(xy->size(), size_t(10));
    for (size_t i = 0; i < t.size(); ++i) {
        QVERIFY2(std::abs((*xy)[i * 2] - (t[i] - 3.2)) < 1e-4,
                 qPrintable(QString::number((*xy)[i * 2])));
        QVERIFY(std::abs((*xy)[i * 2 + 1]) < 1e-4);
    }
}

void TestEmbedding::pcaNeedsTwoPoints()
{
    FeatureMatrix m;
    m.rows = 1;
    m.columns = 2;
    m.values = {1, 2};
    const Result<std::vector<double>> xy = projectPca(m);
    QVERIFY(!xy.ok());
    QVERIFY(xy.error().contains(QStringLiteral("two points")));
}

// Nearest centroid in 2-D gives back the cluster of at least 95% of the points.
void TestEmbedding::tsneSeparatesClusters()
{
    std::vector<int> labels;
    const FeatureMatrix m = clusters(60, &labels);
    const Result<std::vector<double>> xy = projectTsne(m);
    QVERIFY2(xy.ok(), qPrintable(xy.error()));
    double cx[3] = {0, 0, 0};
    double cy[3] = {0, 0, 0};
    for (int i = 0; i < m.rows; ++i) {
        QVERIFY(std::isfinite((*xy)[size_t(i) * 2]) && std::isfinite((*xy)[size_t(i) * 2 + 1]));
        cx[labels[size_t(i)]] += (*xy)[size_t(i) * 2] / 60;
        cy[labels[size_t(i)]] += (*xy)[size_t(i) * 2 + 1] / 60;
    }
    int right = 0;
    for (int i = 0; i < m.rows; ++i) {
        int best = 0;
        double bestDistance = std::numeric_limits<double>::max();
        for (int c = 0; c < 3; ++c) {
            const double dx = (*xy)[size_t(i) * 2] - cx[c];
            const double dy = (*xy)[size_t(i) * 2 + 1] - cy[c];
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = c;
            }
        }
        right += best == labels[size_t(i)] ? 1 : 0;
    }
    QVERIFY2(right >= int(0.95 * m.rows), qPrintable(QString::number(right)));
}

void TestEmbedding::tsneIsDeterministic()
{
    std::vector<int> labels;
    const FeatureMatrix m = clusters(20, &labels);
    TsneOptions options;
    options.iterations = 300;
    options.seed = 4;
    const Result<std::vector<double>> a = projectTsne(m, options);
    const Result<std::vector<double>> b = projectTsne(m, options);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(*a == *b);
    options.seed = 5;
    const Result<std::vector<double>> c = projectTsne(m, options);
    QVERIFY(c.ok());
    QVERIFY(*a != *c);
}

void TestEmbedding::featureDimension_data()
{
    QTest::addColumn<int>("mode"); // 0 grey, 1 RGB, 2 five channels
    QTest::addColumn<int>("head"); // 0 Flatten + Dense(8) + Dense, 1 GAP + Dense, 2 Flatten + Dense
    QTest::addColumn<int>("dimension");
    QTest::newRow("grey, dense head") << 0 << 0 << 8;
    QTest::newRow("rgb, global average pooling") << 1 << 1 << 6;
    QTest::newRow("five channels, flatten") << 2 << 2 << 12 * 12 * 6;
}

// The features are the input of the last Dense layer, whatever the input's channels.
void TestEmbedding::featureDimension()
{
    QFETCH(int, mode);
    QFETCH(int, head);
    QFETCH(int, dimension);
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(6, {3, 3}, Padding::Same, Activation::Relu)};
    if (head == 1) {
        model.layers << LayerSpec::globalAveragePooling2D();
    } else {
        model.layers << LayerSpec::maxPooling2D() << LayerSpec::flatten();
    }
    if (head == 0) {
        model.layers << LayerSpec::dense(8, Activation::Relu);
    }
    model.layers << LayerSpec::dense(3, Activation::Softmax);
    DatasetSettings settings;
    settings.imageSize = 24;
    settings.colorMode = mode == 1 ? ColorMode::Rgb : ColorMode::Grayscale;
    if (mode == 2) {
        settings = withChannelList(settings, {0, 1, 2, 3, 4});
    }
    const QString path = m_dir.filePath(QStringLiteral("features%1%2.pt").arg(mode).arg(head));
    const QString error = saveModel(model, settings, threeClasses(), path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Result<FeatureModel> loaded = FeatureModel::load(path, 1);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(loaded->featureLayer(), model.layers.size() - 1);
    const int channels = loaded->metadata().channels();
    QCOMPARE(channels, mode == 0 ? 1 : mode == 1 ? 3 : 5);
    std::mt19937 rng(channels);
    std::uniform_real_distribution<float> value(0, 1);
    std::vector<float> images(size_t(4) * size_t(channels) * 24 * 24);
    for (float& v : images) {
        v = value(rng);
    }
    const Result<ImageFeatures> features = loaded->run(images.data(), 4);
    QVERIFY2(features.ok(), qPrintable(features.error()));
    QCOMPARE(features->features.rows, 4);
    QCOMPARE(features->features.columns, dimension);
    QCOMPARE(features->features.values.size(), size_t(4) * size_t(dimension));
    QCOMPARE(features->predicted.size(), size_t(4));
    for (double c : features->confidence) {
        QVERIFY(c >= 1.0 / 3 - 1e-6 && c <= 1.0);
    }
}

void TestEmbedding::noDenseLayer()
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(3, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::globalAveragePooling2D()};
    DatasetSettings settings;
    settings.imageSize = 16;
    const QString path = m_dir.filePath(QStringLiteral("nodense.pt"));
    const QString error = saveModel(model, settings, threeClasses(), path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const Result<FeatureModel> loaded = FeatureModel::load(path, 1);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(QStringLiteral("no Dense layer")), qPrintable(loaded.error()));
}

// A whole map: every test image is a point with its relative path, class and prediction; t-SNE on
// a sample leaves the others without coordinates; the CSV has a row per image.
void TestEmbedding::mapOfASplit()
{
    const QString root = m_dir.filePath(QStringLiteral("shapes"));
    testdata::makeShapes(root, QStringLiteral("train"), 4, 1);
    testdata::makeShapes(root, QStringLiteral("test"), 10, 2);
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::maxPooling2D(), LayerSpec::flatten(),
                    LayerSpec::dense(3, Activation::Softmax)};
    DatasetSettings settings;
    settings.imageSize = 16;
    settings.colorMode = ColorMode::Rgb;
    const QString path = m_dir.filePath(QStringLiteral("shapes.pt"));
    const QString error = saveModel(model, settings, threeClasses(), path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    EmbeddingOptions options;
    options.sample = 20;
    options.threads = 1;
    QStringList stages;
    options.progress = [&](const QString& stage) { stages << stage; };
    const Result<EmbeddingMap> map = makeEmbeddingMap(path, root, options);
    QVERIFY2(map.ok(), qPrintable(map.error()));
    QCOMPARE(map->points.size(), 30);
    QCOMPARE(map->featureDimension, 8 * 8 * 4);
    QCOMPARE(map->classes, threeClasses());
    QVERIFY(!stages.isEmpty());
    int inSample = 0;
    for (const EmbeddingPoint& p : map->points) {
        QVERIFY2(p.path.startsWith(QStringLiteral("test/")), qPrintable(p.path));
        QVERIFY(p.path.contains(QLatin1Char('/') + map->classes[p.trueClass] + QLatin1Char('/')));
        QVERIFY(p.predicted >= 0 && p.predicted < 3);
        QCOMPARE(std::isfinite(p.x), p.inSample);
        inSample += p.inSample ? 1 : 0;
    }
    QCOMPARE(inSample, 20);
    const QStringList lines = embeddingToCsv(*map).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 31);
    QCOMPARE(lines[0], QStringLiteral("path,true_class,predicted_class,confidence,x,y,in_sample"));

    options.method = EmbeddingMethod::Pca;
    options.progress = nullptr;
    const Result<EmbeddingMap> pca = makeEmbeddingMap(path, root, options);
    QVERIFY2(pca.ok(), qPrintable(pca.error()));
    for (const EmbeddingPoint& p : pca->points) {
        QVERIFY(p.inSample && std::isfinite(p.x) && std::isfinite(p.y));
    }
    options.split = Split::Validation;
    const Result<EmbeddingMap> none = makeEmbeddingMap(path, root, options);
    QVERIFY(!none.ok());
    QVERIFY2(none.error().contains(QStringLiteral("no validation images")),
             qPrintable(none.error()));

    // The map of chosen images (what an evaluation scored): those images, in the order given,
    // with the same features and answers as in the split's map.
    const QVector<DatasetItem> chosen = {{pca->points[7].path, pca->points[7].trueClass},
                                         {pca->points[2].path, pca->points[2].trueClass},
                                         {pca->points[25].path, pca->points[25].trueClass}};
    const Result<EmbeddingMap> some = makeEmbeddingMapOfImages(path, root, chosen, options);
    QVERIFY2(some.ok(), qPrintable(some.error()));
    QCOMPARE(some->points.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const EmbeddingPoint& whole = pca->points[i == 0 ? 7 : i == 1 ? 2 : 25];
        QCOMPARE(some->points[i].path, whole.path);
        QCOMPARE(some->points[i].trueClass, whole.trueClass);
        QCOMPARE(some->points[i].predicted, whole.predicted);
        QVERIFY(std::abs(some->points[i].confidence - whole.confidence) < 1e-6);
    }
    const QVector<DatasetItem> foreign = {{pca->points[0].path, 5}};
    const Result<EmbeddingMap> refused = makeEmbeddingMapOfImages(path, root, foreign, options);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().contains(QStringLiteral("the model has 3 classes")),
             qPrintable(refused.error()));
    QVERIFY(!makeEmbeddingMapOfImages(path, root, {}, options).ok());
}

QTEST_GUILESS_MAIN(TestEmbedding)
#include "tst_embedding.moc"
