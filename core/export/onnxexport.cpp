#include "export/onnxexport_p.h"

#include "common/atomicfile.h"
#include "model/modelsummary.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <cmath>
#include <exception>

namespace studio {

namespace {

// TensorFlow's "same" padding of one axis: {before, after} (as model/modelbuilder_p.h).
std::array<int64_t, 2> samePadding(int64_t input, int64_t window, int64_t stride)
{
    const int64_t output = (input + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((output - 1) * stride + window - input, 0);
    return {total / 2, total - total / 2};
}

// Builds the graph node by node, naming intermediate values v1, v2, ...
class GraphBuilder
{
public:
    GraphBuilder(onnx::GraphProto* graph, const std::map<std::string, WeightArray>& weights)
        : m_graph(graph), m_weights(weights)
    {}

    std::string fresh() { return "v" + std::to_string(++m_counter); }

    // Adds a trained tensor as an initializer; false when it is missing.
    bool weight(const std::string& name)
    {
        const auto it = m_weights.find(name);
        if (it == m_weights.end()) {
            m_missing = name;
            return false;
        }
        addInitializer(name, it->second.shape, it->second.values);
        return true;
    }

    void addInitializer(const std::string& name, const std::vector<int64_t>& shape,
                        const std::vector<float>& values)
    {
        onnx::TensorProto* t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : shape) {
            t->add_dims(d);
        }
        t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                    values.size() * sizeof(float)));
    }

    void addInt64Initializer(const std::string& name, const std::vector<int64_t>& values)
    {
        onnx::TensorProto* t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(int64_t(values.size()));
        t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                    values.size() * sizeof(int64_t)));
    }

    onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::string& output)
    {
        onnx::NodeProto* n = m_graph->add_node();
        n->set_op_type(op);
        n->set_name(output + "_" + op);
        for (const std::string& in : inputs) {
            n->add_input(in);
        }
        n->add_output(output);
        return n;
    }

    static void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v)
    {
        onnx::AttributeProto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t x : v) {
            a->add_ints(x);
        }
    }
    static void integer(onnx::NodeProto* n, const std::string& name, int64_t v)
    {
        onnx::AttributeProto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(v);
    }
    static void real(onnx::NodeProto* n, const std::string& name, float v)
    {
        onnx::AttributeProto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(v);
    }

    // Applies an activation to x; returns the new value's name.
    std::string activation(const std::string& x, Activation activation)
    {
        const std::string y = fresh();
        switch (activation) {
        case Activation::Linear:
            return x;
        case Activation::Relu:
            node("Relu", {x}, y);
            break;
        case Activation::LeakyRelu:
            real(node("LeakyRelu", {x}, y), "alpha", 0.2f);
            break;
        case Activation::Elu:
            real(node("Elu", {x}, y), "alpha", 1.0f);
            break;
        case Activation::Sigmoid:
            node("Sigmoid", {x}, y);
            break;
        case Activation::Tanh:
            node("Tanh", {x}, y);
            break;
        case Activation::Softmax:
            integer(node("Softmax", {x}, y), "axis", 1);
            break;
        }
        return y;
    }

    const std::string& missing() const { return m_missing; }

private:
    onnx::GraphProto* m_graph;
    const std::map<std::string, WeightArray>& m_weights;
    int m_counter = 0;
    std::string m_missing;
};

std::string tensorName(int layer, const char* what)
{
    return "layer" + std::to_string(layer) + "_" + what;
}

void setValueInfo(onnx::ValueInfoProto* info, const std::string& name,
                  const std::vector<int64_t>& dims)
{
    info->set_name(name);
    onnx::TypeProto_Tensor* type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = type->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    for (int64_t d : dims) {
        shape->add_dim()->set_dim_value(d);
    }
}

// A failure for a network that starts with a TorchScript feature extractor, which cannot be
// written as ONNX.
Status refuseFeatureExtractor(const ModelMetadata& m, const QString& path)
{
    if (!m.model.layers.isEmpty() && m.model.layers[0].type == LayerType::FeatureExtractor) {
        return Failure{QStringLiteral("Cannot export %1 to ONNX: the network starts with a "
                                      "TorchScript feature extractor (%2), which this app cannot "
                                      "write as ONNX. Export it as TorchScript (.pt) instead; "
                                      "that file holds the extractor too.")
                           .arg(path, QFileInfo(m.model.layers[0].extractor.path).fileName())};
    }
    return {};
}

// The model's header: IR version, producer, opset, and the metadata and class names as
// metadata properties.
void describeModel(const ModelMetadata& m, onnx::ModelProto* model)
{
    model->set_ir_version(onnx::IR_VERSION);
    model->set_producer_name("Classifier Studio");
    model->set_producer_version(m.appVersion.toStdString());
    model->set_doc_string("Image classifier: float32 NCHW images, resized and rescaled as "
                          "metadata.json says, in; class probabilities out.");
    onnx::OperatorSetIdProto* opset = model->add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);
    const std::vector<std::pair<std::string, QByteArray>> props = {
        {"metadata.json", modelMetadataToBytes(m)},
        {"classes",
         QJsonDocument(QJsonArray::fromStringList(m.classes)).toJson(QJsonDocument::Compact)}};
    for (const auto& [key, value] : props) {
        onnx::StringStringEntryProto* entry = model->add_metadata_props();
        entry->set_key(key);
        entry->set_value(value.toStdString());
    }
}

// One layer to add to the graph: its spec and index, the shape of its input (height, width,
// channels, or features) and the activation it ends with.
struct LayerInput
{
    const LayerSpec& layer;
    int index;
    const QVector<int>& shape;
    Activation activation;
};

// Conv2D: a Conv node (after a Pad node when "same" padding is uneven) and its activation.
// Stops at the first missing tensor, which g.missing() then names.
void addConvLayer(GraphBuilder& g, const LayerInput& in, std::string* x)
{
    const LayerSpec& layer = in.layer;
    const Size2 s = layer.effectiveStrides();
    std::array<int64_t, 4> pads = {0, 0, 0, 0}; // top, left, bottom, right
    if (layer.padding == Padding::Same) {
        const auto rows = samePadding(in.shape[0], layer.kernelSize.height, s.height);
        const auto cols = samePadding(in.shape[1], layer.kernelSize.width, s.width);
        pads = {rows[0], cols[0], rows[1], cols[1]};
        if (rows[0] != rows[1] || cols[0] != cols[1]) {
            const std::string padsName = tensorName(in.index, "pads");
            g.addInt64Initializer(padsName, {0, 0, rows[0], cols[0], 0, 0, rows[1], cols[1]});
            const std::string padded = g.fresh();
            g.node("Pad", {*x, padsName}, padded);
            *x = padded;
            pads = {0, 0, 0, 0};
        }
    }
    const std::string w = tensorName(in.index, "weight");
    std::string b = tensorName(in.index, "bias");
    if (!g.weight(w)) {
        return;
    }
    if (layer.useBias) {
        if (!g.weight(b)) {
            return;
        }
    } else {
        b.clear();
    }
    const std::string y = g.fresh();
    std::vector<std::string> inputs = {*x, w};
    if (!b.empty()) {
        inputs.push_back(b);
    }
    onnx::NodeProto* conv = g.node("Conv", inputs, y);
    GraphBuilder::ints(conv, "kernel_shape", {layer.kernelSize.height, layer.kernelSize.width});
    GraphBuilder::ints(conv, "strides", {s.height, s.width});
    GraphBuilder::ints(conv, "pads", {pads[0], pads[1], pads[2], pads[3]});
    *x = g.activation(y, in.activation);
}

// MaxPooling2D and AveragePooling2D: a MaxPool or AveragePool node (padding not counted in
// the average).
void addPoolingLayer(GraphBuilder& g, const LayerInput& in, std::string* x)
{
    const LayerSpec& layer = in.layer;
    const Size2 s = layer.effectiveStrides();
    std::vector<int64_t> pads = {0, 0, 0, 0};
    if (layer.padding == Padding::Same) {
        const auto rows = samePadding(in.shape[0], layer.poolSize.height, s.height);
        const auto cols = samePadding(in.shape[1], layer.poolSize.width, s.width);
        pads = {rows[0], cols[0], rows[1], cols[1]};
    }
    const bool max = layer.type == LayerType::MaxPooling2D;
    const std::string y = g.fresh();
    onnx::NodeProto* pool = g.node(max ? "MaxPool" : "AveragePool", {*x}, y);
    GraphBuilder::ints(pool, "kernel_shape", {layer.poolSize.height, layer.poolSize.width});
    GraphBuilder::ints(pool, "strides", {s.height, s.width});
    GraphBuilder::ints(pool, "pads", pads);
    if (!max) {
        GraphBuilder::integer(pool, "count_include_pad", 0);
    }
    *x = y;
}

// Dense: a Gemm node (with a zero bias when the layer has none) and its activation. Stops at
// the first missing tensor, which g.missing() then names.
void addDenseLayer(GraphBuilder& g, const LayerInput& in, std::string* x)
{
    const LayerSpec& layer = in.layer;
    const std::string w = tensorName(in.index, "weight");
    const std::string b = tensorName(in.index, "bias");
    if (!g.weight(w)) {
        return;
    }
    if (layer.useBias) {
        if (!g.weight(b)) {
            return;
        }
    } else {
        g.addInitializer(b, {int64_t(layer.units)}, std::vector<float>(size_t(layer.units), 0.0f));
    }
    const std::string y = g.fresh();
    GraphBuilder::integer(g.node("Gemm", {*x, w, b}, y), "transB", 1);
    *x = g.activation(y, in.activation);
}

// BatchNormalization on [batch, features], folded into y = x * a + b with
// a = gamma / sqrt(var + eps) and b = beta - mean * a.
void addFoldedBatchNormalization(GraphBuilder& g, const LayerInput& in, const WeightArray& gamma,
                                 const WeightArray& beta, const WeightArray& mean,
                                 const WeightArray& var, std::string* x)
{
    const int i = in.index;
    const size_t n = gamma.values.size();
    std::vector<float> a(n), b(n);
    for (size_t c = 0; c < n; ++c) {
        a[c] = float(double(gamma.values[c]) / std::sqrt(double(var.values[c]) + in.layer.epsilon));
        b[c] = float(double(beta.values[c]) - double(mean.values[c]) * double(a[c]));
    }
    g.addInitializer(tensorName(i, "scale"), {int64_t(n)}, a);
    g.addInitializer(tensorName(i, "shift"), {int64_t(n)}, b);
    const std::string scaled = g.fresh();
    g.node("Mul", {*x, tensorName(i, "scale")}, scaled);
    const std::string y = g.fresh();
    g.node("Add", {scaled, tensorName(i, "shift")}, y);
    *x = y;
}

// BatchNormalization: a BatchNormalization node on images, the folded form on vectors; a
// failure when the trained statistics are missing.
Status addBatchNormalization(GraphBuilder& g, const std::map<std::string, WeightArray>& weights,
                             const LayerInput& in, const QString& path, std::string* x)
{
    const int i = in.index;
    const auto gamma = weights.find(tensorName(i, "weight"));
    const auto beta = weights.find(tensorName(i, "bias"));
    const auto mean = weights.find(tensorName(i, "running_mean"));
    const auto var = weights.find(tensorName(i, "running_var"));
    if (gamma == weights.end() || beta == weights.end() || mean == weights.end() ||
        var == weights.end()) {
        return Failure{QStringLiteral("Cannot export %1 to ONNX: layer %2 "
                                      "(BatchNormalization) has no trained statistics.")
                           .arg(path)
                           .arg(i + 1)};
    }
    if (in.shape.size() != 3) {
        addFoldedBatchNormalization(g, in, gamma->second, beta->second, mean->second, var->second,
                                    x);
        return {};
    }
    const std::vector<std::string> names = {tensorName(i, "weight"), tensorName(i, "bias"),
                                            tensorName(i, "running_mean"),
                                            tensorName(i, "running_var")};
    for (const std::string& name : names) {
        g.weight(name);
    }
    const std::string y = g.fresh();
    onnx::NodeProto* bn =
        g.node("BatchNormalization", {*x, names[0], names[1], names[2], names[3]}, y);
    GraphBuilder::real(bn, "epsilon", float(in.layer.epsilon));
    *x = y;
    return {};
}

// Adds one layer's nodes after the value *x and points *x at its output; a failure when the
// layer cannot be written (a missing tensor is left for g.missing() to name).
Status addLayer(GraphBuilder& g, const std::map<std::string, WeightArray>& weights,
                const LayerInput& in, const QString& path, std::string* x)
{
    switch (in.layer.type) {
    case LayerType::Conv2D:
        addConvLayer(g, in, x);
        break;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        addPoolingLayer(g, in, x);
        break;
    case LayerType::GlobalAveragePooling2D: {
        const std::string pooled = g.fresh();
        g.node("GlobalAveragePool", {*x}, pooled);
        const std::string y = g.fresh();
        GraphBuilder::integer(g.node("Flatten", {pooled}, y), "axis", 1);
        *x = y;
        break;
    }
    case LayerType::Flatten: {
        const std::string y = g.fresh();
        GraphBuilder::integer(g.node("Flatten", {*x}, y), "axis", 1);
        *x = y;
        break;
    }
    case LayerType::Dense:
        addDenseLayer(g, in, x);
        break;
    case LayerType::Dropout:
        break;
    case LayerType::BatchNormalization:
        return addBatchNormalization(g, weights, in, path, x);
    case LayerType::Activation:
        *x = g.activation(*x, in.activation);
        break;
    case LayerType::FeatureExtractor:
        break; // refused by refuseFeatureExtractor
    }
    return {};
}

// The graph: the input, every layer (the output layer's softmax left to the final Softmax
// node), and the class probabilities as the output.
Status buildGraph(const ModelMetadata& m, const std::map<std::string, WeightArray>& weights,
                  const ModelSummary& summary, const QString& path, onnx::GraphProto* graph)
{
    const InputShape& input = summary.input;
    graph->set_name("classifier");
    setValueInfo(graph->add_input(), "input", {input.channels, input.height, input.width});
    GraphBuilder g(graph, weights);
    std::string x = "input";
    QVector<int> shape = {input.height, input.width, input.channels};
    const int outputLayer = outputActivationLayer(m.model);
    for (int i = 0; i < m.model.layers.size(); ++i) {
        const LayerSpec& layer = m.model.layers[i];
        const Activation activation = (i == outputLayer && layer.activation == Activation::Softmax)
                                          ? Activation::Linear
                                          : layer.activation;
        if (const Status added = addLayer(g, weights, {layer, i, shape, activation}, path, &x);
            !added) {
            return added;
        }
        if (!g.missing().empty()) {
            return Failure{QStringLiteral("Cannot export %1 to ONNX: the model file has no tensor "
                                          "%2 for layer %3 (%4). Export the model again.")
                               .arg(path, QString::fromStdString(g.missing()))
                               .arg(i + 1)
                               .arg(layerTypeName(layer.type))};
        }
        shape = summary.layers[i].outputShape;
    }
    GraphBuilder::integer(g.node("Softmax", {x}, "probabilities"), "axis", 1);
    setValueInfo(graph->add_output(), "probabilities", {int64_t(m.classes.size())});
    return {};
}

// Runs the ONNX checker on the model, then serialises it.
Result<QByteArray> checkAndSerializeModel(const onnx::ModelProto& model, const QString& path)
{
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The ONNX model for %1 does not pass the ONNX checker: %2")
                           .arg(path, QString::fromLocal8Bit(e.what()))};
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes)) {
        return Failure{
            QStringLiteral("Could not serialise the ONNX model for %1 (over 2 GB?).").arg(path)};
    }
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

} // namespace

Result<QByteArray> onnxModelBytes(const ModelMetadata& m,
                                  const std::map<std::string, WeightArray>& weights,
                                  const QString& path)
{
    if (const Status exportable = refuseFeatureExtractor(m, path); !exportable) {
        return Failure{exportable.error()};
    }
    const InputShape input{m.imageSize(), m.imageSize(), m.channels()};
    const ModelSummary summary = summarizeModel(m.model, input, int(m.classes.size()));
    if (summary.hasErrors()) {
        return Failure{
            QStringLiteral("Cannot export %1 to ONNX: %2").arg(path, summary.errorText())};
    }
    onnx::ModelProto model;
    describeModel(m, &model);
    if (const Status built = buildGraph(m, weights, summary, path, model.mutable_graph()); !built) {
        return Failure{built.error()};
    }
    return checkAndSerializeModel(model, path);
}

Status writeOnnxModel(const ModelMetadata& m, const std::map<std::string, WeightArray>& weights,
                      const QString& path)
{
    const Result<QByteArray> bytes = onnxModelBytes(m, weights, path);
    if (!bytes) {
        return Failure{bytes.error()};
    }
    return writeFileAtomically(path, *bytes);
}

} // namespace studio
