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

} // namespace

Status writeOnnxModel(const ModelMetadata& m, const std::map<std::string, WeightArray>& weights,
                      const QString& path)
{
    const InputShape input{m.imageSize, m.imageSize, m.channels()};
    if (!m.model.layers.isEmpty() && m.model.layers[0].type == LayerType::FeatureExtractor) {
        return Failure{QStringLiteral("Cannot export %1 to ONNX: the network starts with a "
                                      "TorchScript feature extractor (%2), which this app cannot "
                                      "write as ONNX. Export it as TorchScript (.pt) instead; "
                                      "that file holds the extractor too.")
                           .arg(path, QFileInfo(m.model.layers[0].extractor.path).fileName())};
    }
    const ModelSummary summary = summarizeModel(m.model, input, int(m.classes.size()));
    if (summary.hasErrors()) {
        return Failure{
            QStringLiteral("Cannot export %1 to ONNX: %2").arg(path, summary.errorText())};
    }
    onnx::ModelProto model;
    model.set_ir_version(onnx::IR_VERSION);
    model.set_producer_name("Classifier Studio");
    model.set_producer_version(m.appVersion.toStdString());
    model.set_doc_string("Image classifier: float32 NCHW images, resized and rescaled as "
                         "metadata.json says, in; class probabilities out.");
    onnx::OperatorSetIdProto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);
    const std::vector<std::pair<std::string, QByteArray>> props = {
        {"metadata.json", modelMetadataToBytes(m)},
        {"classes",
         QJsonDocument(QJsonArray::fromStringList(m.classes)).toJson(QJsonDocument::Compact)}};
    for (const auto& [key, value] : props) {
        onnx::StringStringEntryProto* entry = model.add_metadata_props();
        entry->set_key(key);
        entry->set_value(value.toStdString());
    }

    onnx::GraphProto* graph = model.mutable_graph();
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
        switch (layer.type) {
        case LayerType::Conv2D: {
            const Size2 s = layer.effectiveStrides();
            std::array<int64_t, 4> pads = {0, 0, 0, 0}; // top, left, bottom, right
            if (layer.padding == Padding::Same) {
                const auto rows = samePadding(shape[0], layer.kernelSize.height, s.height);
                const auto cols = samePadding(shape[1], layer.kernelSize.width, s.width);
                pads = {rows[0], cols[0], rows[1], cols[1]};
                if (rows[0] != rows[1] || cols[0] != cols[1]) {
                    const std::string padsName = tensorName(i, "pads");
                    g.addInt64Initializer(padsName,
                                          {0, 0, rows[0], cols[0], 0, 0, rows[1], cols[1]});
                    const std::string padded = g.fresh();
                    g.node("Pad", {x, padsName}, padded);
                    x = padded;
                    pads = {0, 0, 0, 0};
                }
            }
            const std::string w = tensorName(i, "weight");
            std::string b = tensorName(i, "bias");
            if (!g.weight(w)) {
                break;
            }
            if (layer.useBias) {
                if (!g.weight(b)) {
                    break;
                }
            } else {
                b.clear();
            }
            const std::string y = g.fresh();
            std::vector<std::string> inputs = {x, w};
            if (!b.empty()) {
                inputs.push_back(b);
            }
            onnx::NodeProto* conv = g.node("Conv", inputs, y);
            GraphBuilder::ints(conv, "kernel_shape",
                               {layer.kernelSize.height, layer.kernelSize.width});
            GraphBuilder::ints(conv, "strides", {s.height, s.width});
            GraphBuilder::ints(conv, "pads", {pads[0], pads[1], pads[2], pads[3]});
            x = g.activation(y, activation);
            break;
        }
        case LayerType::MaxPooling2D:
        case LayerType::AveragePooling2D: {
            const Size2 s = layer.effectiveStrides();
            std::vector<int64_t> pads = {0, 0, 0, 0};
            if (layer.padding == Padding::Same) {
                const auto rows = samePadding(shape[0], layer.poolSize.height, s.height);
                const auto cols = samePadding(shape[1], layer.poolSize.width, s.width);
                pads = {rows[0], cols[0], rows[1], cols[1]};
            }
            const bool max = layer.type == LayerType::MaxPooling2D;
            const std::string y = g.fresh();
            onnx::NodeProto* pool = g.node(max ? "MaxPool" : "AveragePool", {x}, y);
            GraphBuilder::ints(pool, "kernel_shape", {layer.poolSize.height, layer.poolSize.width});
            GraphBuilder::ints(pool, "strides", {s.height, s.width});
            GraphBuilder::ints(pool, "pads", pads);
            if (!max) {
                GraphBuilder::integer(pool, "count_include_pad", 0);
            }
            x = y;
            break;
        }
        case LayerType::GlobalAveragePooling2D: {
            const std::string pooled = g.fresh();
            g.node("GlobalAveragePool", {x}, pooled);
            const std::string y = g.fresh();
            GraphBuilder::integer(g.node("Flatten", {pooled}, y), "axis", 1);
            x = y;
            break;
        }
        case LayerType::Flatten: {
            const std::string y = g.fresh();
            GraphBuilder::integer(g.node("Flatten", {x}, y), "axis", 1);
            x = y;
            break;
        }
        case LayerType::Dense: {
            const std::string w = tensorName(i, "weight");
            std::string b = tensorName(i, "bias");
            if (!g.weight(w)) {
                break;
            }
            if (layer.useBias) {
                if (!g.weight(b)) {
                    break;
                }
            } else {
                g.addInitializer(b, {int64_t(layer.units)},
                                 std::vector<float>(size_t(layer.units), 0.0f));
            }
            const std::string y = g.fresh();
            GraphBuilder::integer(g.node("Gemm", {x, w, b}, y), "transB", 1);
            x = g.activation(y, activation);
            break;
        }
        case LayerType::Dropout:
            break;
        case LayerType::BatchNormalization: {
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
            if (shape.size() == 3) {
                const std::vector<std::string> names = {
                    tensorName(i, "weight"), tensorName(i, "bias"), tensorName(i, "running_mean"),
                    tensorName(i, "running_var")};
                for (const std::string& name : names) {
                    g.weight(name);
                }
                const std::string y = g.fresh();
                onnx::NodeProto* bn =
                    g.node("BatchNormalization", {x, names[0], names[1], names[2], names[3]}, y);
                GraphBuilder::real(bn, "epsilon", float(layer.epsilon));
                x = y;
            } else {
                // On [batch, features]: y = x * a + b, a = gamma / sqrt(var + eps),
                // b = beta - mean * a.
                const size_t n = gamma->second.values.size();
                std::vector<float> a(n), b(n);
                for (size_t c = 0; c < n; ++c) {
                    a[c] = float(double(gamma->second.values[c]) /
                                 std::sqrt(double(var->second.values[c]) + layer.epsilon));
                    b[c] = float(double(beta->second.values[c]) -
                                 double(mean->second.values[c]) * double(a[c]));
                }
                g.addInitializer(tensorName(i, "scale"), {int64_t(n)}, a);
                g.addInitializer(tensorName(i, "shift"), {int64_t(n)}, b);
                const std::string scaled = g.fresh();
                g.node("Mul", {x, tensorName(i, "scale")}, scaled);
                const std::string y = g.fresh();
                g.node("Add", {scaled, tensorName(i, "shift")}, y);
                x = y;
            }
            break;
        }
        case LayerType::Activation:
            x = g.activation(x, activation);
            break;
        case LayerType::FeatureExtractor:
            break; // refused above
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
    return writeFileAtomically(path, QByteArray(bytes.data(), qsizetype(bytes.size())));
}

} // namespace studio
