#include "export/exporter_p.h"

#include "common/atomicfile.h"
#include "model/modelbuilder_p.h"
#include "model/modelsummary.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/subgraph_matcher.h>
#include <torch/csrc/jit/passes/subgraph_rewrite.h>
#include <torch/csrc/jit/serialization/import.h>

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

#include <exception>
#include <iomanip>
#include <limits>
#include <sstream>

namespace studio {

namespace {

const std::string kMetadataFile = "metadata.json";

// The first line of an exception's message (LibTorch appends a long backtrace).
QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

std::string number(double value)
{
    std::ostringstream out;
    out << std::setprecision(17) << value;
    std::string text = out.str();
    if (text.find_first_of(".eE") == std::string::npos) {
        text += ".0";
    }
    return text;
}

std::string intList(int64_t a, int64_t b)
{
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

std::string padList(const std::array<int64_t, 4>& p)
{
    return "[" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ", " + std::to_string(p[2]) +
           ", " + std::to_string(p[3]) + "]";
}

std::string activationCode(Activation activation)
{
    switch (activation) {
    case Activation::Linear:
        return {};
    case Activation::Relu:
        return "        x = torch.relu(x)\n";
    case Activation::LeakyRelu:
        return "        x = torch.leaky_relu(x, 0.2)\n";
    case Activation::Elu:
        return "        x = torch.elu(x)\n";
    case Activation::Sigmoid:
        return "        x = torch.sigmoid(x)\n";
    case Activation::Tanh:
        return "        x = torch.tanh(x)\n";
    case Activation::Softmax:
        return "        x = torch.softmax(x, 1)\n";
    }
    return {};
}

// {left, right, top, bottom} of TensorFlow's "same" padding for an input of height x width.
std::array<int64_t, 4> samePads(int height, int width, Size2 window, Size2 strides)
{
    const auto rows = samePadding(height, window.height, strides.height);
    const auto cols = samePadding(width, window.width, strides.width);
    return {cols[0], cols[1], rows[0], rows[1]};
}

bool anyPadding(const std::array<int64_t, 4>& p)
{
    return p[0] != 0 || p[1] != 0 || p[2] != 0 || p[3] != 0;
}

// The input shape (height, width, channels or features) of each layer.
QVector<QVector<int>> layerInputShapes(const ModelMetadata& m)
{
    const InputShape input{m.imageSize(), m.imageSize(), m.channels()};
    const ModelSummary summary = summarizeModel(m.model, input, int(m.classes.size()));
    QVector<QVector<int>> shapes;
    QVector<int> shape = {input.height, input.width, input.channels};
    for (int i = 0; i < m.model.layers.size(); ++i) {
        shapes << shape;
        shape = summary.layers.value(i).outputShape;
    }
    return shapes;
}

// Cells of the image inside each window of an AveragePooling2D with "same" padding.
torch::Tensor averagePoolCounts(int height, int width, const LayerSpec& layer)
{
    const Size2 strides = layer.effectiveStrides();
    const auto p = samePads(height, width, layer.poolSize, strides);
    namespace F = torch::nn::functional;
    const torch::Tensor ones = torch::ones({1, 1, height, width});
    return torch::avg_pool2d(F::pad(ones, F::PadFuncOptions({p[0], p[1], p[2], p[3]})),
                             {layer.poolSize.height, layer.poolSize.width},
                             {strides.height, strides.width});
}

bool needsCounts(const LayerSpec& layer, const QVector<int>& inputShape)
{
    return layer.type == LayerType::AveragePooling2D && layer.padding == Padding::Same &&
           inputShape.size() == 3 &&
           anyPadding(
               samePads(inputShape[0], inputShape[1], layer.poolSize, layer.effectiveStrides()));
}

// The name of the first part of a zip archive whose data does not match its stored CRC-32, or an
// empty string. LibTorch does not check these checksums, and its unpickler can crash on a damaged
// byte; the checksums find damage from a disk or a copy first. What this cannot follow (no end
// record, zip64 sizes, other compression) is left to LibTorch, which reports it.
QString damagedZipEntry(const QByteArray& bytes)
{
    const auto* d = reinterpret_cast<const uchar*>(bytes.constData());
    const qint64 n = bytes.size();
    const auto u16 = [&](qint64 at) { return quint32(d[at]) | quint32(d[at + 1]) << 8; };
    const auto u32 = [&](qint64 at) { return u16(at) | u16(at + 2) << 16; };
    qint64 end = -1;
    for (qint64 at = n - 22; at >= 0 && at >= n - 22 - 65535; --at) {
        if (u32(at) == 0x06054b50) {
            end = at;
            break;
        }
    }
    if (end < 0) {
        return {};
    }
    const quint32 entries = u16(end + 10);
    qint64 at = u32(end + 16);
    for (quint32 i = 0; i < entries; ++i) {
        if (at + 46 > n || u32(at) != 0x02014b50) {
            return {};
        }
        const quint32 method = u16(at + 10);
        const quint32 crc = u32(at + 16);
        const quint32 packed = u32(at + 20);
        const quint32 size = u32(at + 24);
        const quint32 nameLength = u16(at + 28);
        const qint64 local = u32(at + 42);
        const QString name = QString::fromUtf8(bytes.mid(at + 46, nameLength));
        at += 46 + nameLength + u16(at + 30) + u16(at + 32);
        if (packed == 0xffffffffu || size == 0xffffffffu || local == 0xffffffff || local + 30 > n) {
            continue;
        }
        const qint64 data = local + 30 + u16(local + 26) + u16(local + 28);
        if (data + packed > n) {
            return name;
        }
        uLong actual = crc32(0L, Z_NULL, 0);
        if (method == 0) {
            actual = crc32(actual, d + data, uInt(packed));
        } else if (method == 8) {
            z_stream z{};
            if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
                continue;
            }
            z.next_in = const_cast<Bytef*>(d + data);
            z.avail_in = uInt(packed);
            Bytef chunk[16384];
            int status = Z_OK;
            while (status == Z_OK) {
                z.next_out = chunk;
                z.avail_out = sizeof(chunk);
                status = inflate(&z, Z_NO_FLUSH);
                actual = crc32(actual, chunk, uInt(sizeof(chunk) - z.avail_out));
                if (status == Z_BUF_ERROR && z.avail_in == 0) {
                    break;
                }
            }
            inflateEnd(&z);
            if (status != Z_STREAM_END) {
                return name;
            }
        } else {
            continue;
        }
        if (actual != crc) {
            return name;
        }
    }
    return {};
}

// The TorchScript of a FeatureExtractor layer: the operations of featureExtractorInput(), then
// the embedded module (registered as self.<prefix>extractor by scriptModule()).
std::string featureExtractorCode(const FeatureExtractorSpec& e, const QVector<int>& in,
                                 const std::string& self)
{
    std::string code;
    if (in[2] != e.channels) {
        if (in[2] != 1) {
            code += "        x = torch.mean(x, [1], True)\n";
        }
        if (e.channels != 1) {
            code += "        x = x.expand([-1, " + std::to_string(e.channels) + ", -1, -1])\n";
        }
    }
    if (in[0] != e.inputSize.height || in[1] != e.inputSize.width) {
        code += "        x = torch.upsample_bilinear2d(x, " +
                intList(e.inputSize.height, e.inputSize.width) + ", False, None, None)\n";
    }
    if (!e.mean.isEmpty()) {
        code += "        x = (x - " + self + "mean) / " + self + "std\n";
    }
    code += "        x = torch.flatten(" + self + "extractor.forward(x), 1)\n";
    return code;
}

// Registers layer i's feature extractor module (and its normalisation) in `scripted`.
void registerFeatureExtractor(torch::jit::Module& scripted, torch::nn::Sequential& module, int i)
{
    auto* layer = module->ptr(size_t(i))->as<FeatureExtractorLayerImpl>();
    if (layer == nullptr) {
        throw std::runtime_error("layer " + std::to_string(i + 1) +
                                 " is not a feature extractor in the built network");
    }
    scripted.register_module(layerTensorName(i, "extractor"), layer->extractor);
    const FeatureExtractorSpec& e = layer->spec.extractor;
    if (!e.mean.isEmpty()) {
        const auto column = [](const QVector<double>& values) {
            return torch::tensor(std::vector<double>(values.begin(), values.end()), torch::kFloat)
                .view({1, -1, 1, 1});
        };
        scripted.register_buffer(layerTensorName(i, "mean"), column(e.mean));
        scripted.register_buffer(layerTensorName(i, "std"), column(e.std));
    }
}

} // namespace

std::string layerTensorName(int layer, const char* what)
{
    return "layer" + std::to_string(layer) + "_" + what;
}

std::string torchScriptSource(const ModelMetadata& m)
{
    const QVector<QVector<int>> inputs = layerInputShapes(m);
    const int outputLayer = outputActivationLayer(m.model);
    std::string code = "def forward(self, x: Tensor) -> Tensor:\n";
    for (int i = 0; i < m.model.layers.size(); ++i) {
        const LayerSpec& layer = m.model.layers[i];
        const QVector<int>& in = inputs[i];
        const std::string self = "self." + layerTensorName(i, "");
        const Activation activation = (i == outputLayer && layer.activation == Activation::Softmax)
                                          ? Activation::Linear
                                          : layer.activation;
        code += "        # layer " + std::to_string(i + 1) + ": " +
                layerTypeName(layer.type).toStdString() + "\n";
        switch (layer.type) {
        case LayerType::Conv2D: {
            const Size2 s = layer.effectiveStrides();
            std::array<int64_t, 2> symmetric = {0, 0};
            if (layer.padding == Padding::Same) {
                const auto p = samePads(in[0], in[1], layer.kernelSize, s);
                if (p[0] == p[1] && p[2] == p[3]) {
                    symmetric = {p[2], p[0]};
                } else {
                    code += "        x = torch.constant_pad_nd(x, " + padList(p) + ", 0.0)\n";
                }
            }
            code += "        x = torch.conv2d(x, " + self + "weight, " +
                    (layer.useBias ? self + "bias" : std::string("None")) + ", " +
                    intList(s.height, s.width) + ", " + intList(symmetric[0], symmetric[1]) + ")\n";
            code += activationCode(activation);
            break;
        }
        case LayerType::MaxPooling2D:
        case LayerType::AveragePooling2D: {
            const Size2 s = layer.effectiveStrides();
            std::array<int64_t, 4> p = {0, 0, 0, 0};
            if (layer.padding == Padding::Same) {
                p = samePads(in[0], in[1], layer.poolSize, s);
            }
            const std::string kernel = intList(layer.poolSize.height, layer.poolSize.width);
            const std::string stride = intList(s.height, s.width);
            if (layer.type == LayerType::MaxPooling2D) {
                if (anyPadding(p)) {
                    code += "        x = torch.constant_pad_nd(x, " + padList(p) +
                            ", float(\"-inf\"))\n";
                }
                code += "        x = torch.max_pool2d(x, " + kernel + ", " + stride + ")\n";
            } else if (anyPadding(p)) {
                code += "        x = torch.avg_pool2d(torch.constant_pad_nd(x, " + padList(p) +
                        ", 0.0), " + kernel + ", " + stride + ") / " + self + "counts\n";
            } else {
                code += "        x = torch.avg_pool2d(x, " + kernel + ", " + stride + ")\n";
            }
            break;
        }
        case LayerType::GlobalAveragePooling2D:
            code += "        x = torch.mean(x, [2, 3])\n";
            break;
        case LayerType::Flatten:
            code += "        x = torch.flatten(x, 1)\n";
            break;
        case LayerType::Dense:
            code += "        x = torch.linear(x, " + self + "weight, " +
                    (layer.useBias ? self + "bias" : std::string("None")) + ")\n";
            code += activationCode(activation);
            break;
        case LayerType::Dropout:
            break; // identity at inference
        case LayerType::BatchNormalization:
            code += "        x = torch.batch_norm(x, " + self + "weight, " + self + "bias, " +
                    self + "running_mean, " + self + "running_var, False, 0.0, " +
                    number(layer.epsilon) + ", True)\n";
            break;
        case LayerType::Activation:
            code += activationCode(activation);
            break;
        case LayerType::FeatureExtractor:
            code += featureExtractorCode(layer.extractor, in, self);
            break;
        }
    }
    code += "        return torch.softmax(x, 1)\n";
    return code;
}

Result<torch::jit::Module> scriptModule(torch::nn::Sequential& module, const ModelMetadata& m)
{
    const ModelSummary summary = summarizeModel(
        m.model, {m.imageSize(), m.imageSize(), m.channels()}, int(m.classes.size()));
    if (summary.hasErrors()) {
        return Failure{QStringLiteral("Could not turn the network into TorchScript: %1")
                           .arg(summary.errorText())};
    }
    try {
        torch::NoGradGuard noGrad;
        const QVector<QVector<int>> inputs = layerInputShapes(m);
        torch::jit::Module scripted("__torch__.classifier_studio.Classifier");
        const auto parameters = module->named_parameters(true);
        const auto buffers = module->named_buffers(true);
        const auto copy = [](const torch::Tensor& t) {
            return t.detach().to(torch::kCPU, torch::kFloat).contiguous().clone();
        };
        for (int i = 0; i < m.model.layers.size(); ++i) {
            const std::string prefix = std::to_string(i) + ".";
            for (const char* what : {"weight", "bias"}) {
                if (const torch::Tensor* t = parameters.find(prefix + what)) {
                    scripted.register_parameter(layerTensorName(i, what), copy(*t), false);
                }
            }
            for (const char* what : {"running_mean", "running_var"}) {
                if (const torch::Tensor* t = buffers.find(prefix + what)) {
                    scripted.register_buffer(layerTensorName(i, what), copy(*t));
                }
            }
            if (m.model.layers[i].type == LayerType::FeatureExtractor) {
                registerFeatureExtractor(scripted, module, i);
            }
            if (needsCounts(m.model.layers[i], inputs[i])) {
                scripted.register_buffer(
                    layerTensorName(i, "counts"),
                    averagePoolCounts(inputs[i][0], inputs[i][1], m.model.layers[i]));
            }
        }
        scripted.define(torchScriptSource(m));
        scripted.eval();
        return scripted;
    } catch (const std::exception& e) {
        return Failure{
            QStringLiteral("Could not turn the network into TorchScript: %1").arg(firstLine(e))};
    }
}

Status saveTorchScript(const torch::jit::Module& module, const ModelMetadata& metadata,
                       const QString& path)
{
    std::ostringstream out;
    try {
        torch::jit::ExtraFilesMap extra;
        extra[kMetadataFile] = modelMetadataToBytes(metadata).toStdString();
        module.save(out, extra);
    } catch (const std::exception& e) {
        return Failure{
            QStringLiteral("Could not serialise the model for %1: %2").arg(path, firstLine(e))};
    }
    const std::string bytes = out.str();
    return writeFileAtomically(path, QByteArray(bytes.data(), qsizetype(bytes.size())));
}

Status exportTorchScript(torch::nn::Sequential& module, const ModelMetadata& metadata,
                         const QString& path)
{
    Result<torch::jit::Module> scripted = scriptModule(module, metadata);
    if (!scripted) {
        return Failure{scripted.error()};
    }
    return saveTorchScript(*scripted, metadata, path);
}

Result<LoadedModel> loadModelFile(const QString& path)
{
    QFile file(path);
    const QFileInfo info(path);
    if (!info.exists()) {
        return Failure{QStringLiteral("The model file %1 does not exist. Give the path of a .pt "
                                      "file exported by Classifier Studio.")
                           .arg(path)};
    }
    if (info.isDir()) {
        return Failure{QStringLiteral("%1 is a folder, not a model file. Give the path of the .pt "
                                      "file, e.g. the model.pt inside a training run folder.")
                           .arg(path)};
    }
    if (!info.isFile()) {
        // Opening a named pipe would wait for a writer forever.
        return Failure{QStringLiteral("%1 is not a regular file (a named pipe, socket or device). "
                                      "Give the path of a .pt file exported by Classifier Studio.")
                           .arg(path)};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Could not read the model file %1 (%2); check its "
                                      "permissions.")
                           .arg(path, file.errorString())};
    }
    // The signature first: a huge file that is not a model is never read into memory.
    const QByteArray bytes =
        file.peek(4) == QByteArrayLiteral("PK\x03\x04") ? file.readAll() : file.peek(4);
    if (!bytes.startsWith(QByteArrayLiteral("PK\x03\x04"))) {
        return Failure{QStringLiteral("%1 is not a model file: a TorchScript .pt is a zip archive "
                                      "and this file is not one. Give the model.pt of a training "
                                      "run or a file made with 'classifier-cli export'.")
                           .arg(path)};
    }
    if (const QString part = damagedZipEntry(bytes); !part.isEmpty()) {
        return Failure{QStringLiteral("%1 is damaged: its part '%2' does not match the checksum "
                                      "written with it (the file was changed or cut after it was "
                                      "saved, e.g. by a faulty copy or disk). Copy or export the "
                                      "model again.")
                           .arg(path, part)};
    }
    LoadedModel loaded;
    torch::jit::ExtraFilesMap extra;
    extra[kMetadataFile] = std::string();
    try {
        std::istringstream in(std::string(bytes.constData(), size_t(bytes.size())));
        loaded.module = torch::jit::load(in, torch::kCPU, extra);
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("%1 could not be read as a TorchScript model; it may be "
                                      "truncated or damaged (%2). Export the model again.")
                           .arg(path, firstLine(e))};
    }
    if (extra[kMetadataFile].empty()) {
        return Failure{QStringLiteral("%1 is a TorchScript model, but not one exported by "
                                      "Classifier Studio: it has no metadata.json (class names, "
                                      "image size, preprocessing). Export the model from the app "
                                      "or with 'classifier-cli export'.")
                           .arg(path)};
    }
    Result<ModelMetadata> metadata =
        modelMetadataFromBytes(QByteArray::fromStdString(extra[kMetadataFile]), path);
    if (!metadata) {
        return Failure{metadata.error()};
    }
    loaded.metadata = *metadata;
    try {
        loaded.module.eval();
        c10::InferenceMode inference;
        const ModelMetadata& m = loaded.metadata;
        const torch::Tensor probe = torch::zeros({1, m.channels(), m.imageSize(), m.imageSize()});
        const torch::Tensor out = loaded.module.forward({probe}).toTensor();
        if (out.dim() != 2 || out.size(0) != 1 || out.size(1) != m.classes.size()) {
            return Failure{QStringLiteral("%1 is damaged: its network gives %2 outputs per image "
                                          "but its metadata lists %3 classes.")
                               .arg(path)
                               .arg(out.dim() == 2 ? out.size(1) : -1)
                               .arg(m.classes.size())};
        }
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("%1 is damaged: its network does not run on a %2x%2x%3 "
                                      "image as its metadata says (%4).")
                           .arg(path)
                           .arg(loaded.metadata.imageSize())
                           .arg(loaded.metadata.channels())
                           .arg(firstLine(e))};
    }
    return loaded;
}

torch::jit::Module optimizedForInference(const torch::jit::Module& module)
{
    try {
        torch::jit::Module copy = module.clone();
        copy.eval();
        torch::jit::Module frozen = torch::jit::freeze(copy);
        return torch::jit::optimize_for_inference(frozen);
    } catch (const std::exception&) {
        return module;
    }
}

namespace {

// The names of a rewrite pattern's values, as a filter gets them (values of the pattern graph).
using PatternValues = std::unordered_map<std::string, torch::jit::Value*>;

// The value of the graph that the pattern's value `name` matched.
torch::jit::Value* matched(const torch::jit::Match& match, const PatternValues& values,
                           const std::string& name)
{
    return match.values_map.at(values.at(name));
}

// A ReLU straight after a convolution overwrites the convolution's output instead of making a
// second tensor of that size.
void applyReluInPlace(std::shared_ptr<torch::jit::Graph>& graph)
{
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(R"(
graph(%x, %w, %b, %stride, %padding, %dilation, %groups):
  %conv = aten::conv2d(%x, %w, %b, %stride, %padding, %dilation, %groups)
  %out = aten::relu(%conv)
  return (%out))",
                                    R"(
graph(%x, %w, %b, %stride, %padding, %dilation, %groups):
  %conv = aten::conv2d(%x, %w, %b, %stride, %padding, %dilation, %groups)
  %out = aten::relu_(%conv)
  return (%out))");
    rewriter.runOnGraph(graph); // it skips a match whose inner values are read elsewhere
}

// Max pooling before the in-place ReLU that preceded it: the maximum of ReLUs is the ReLU of
// the maximum (NaN included), and the ReLU then runs on the pooled quarter of the values.
void poolBeforeRelu(std::shared_ptr<torch::jit::Graph>& graph)
{
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(R"(
graph(%x, %kernel, %stride, %padding, %dilation, %ceil):
  %relu = aten::relu_(%x)
  %out = aten::max_pool2d(%relu, %kernel, %stride, %padding, %dilation, %ceil)
  return (%out))",
                                    R"(
graph(%x, %kernel, %stride, %padding, %dilation, %ceil):
  %pooled = aten::max_pool2d(%x, %kernel, %stride, %padding, %dilation, %ceil)
  %out = aten::relu_(%pooled)
  return (%out))");
    rewriter.runOnGraph(graph);
}

// Whether the matched value `name` is the constant int list `expected`.
bool isConstantList(const torch::jit::Match& match, const PatternValues& values,
                    const std::string& name, const std::vector<int64_t>& expected)
{
    const c10::optional<c10::IValue> value = torch::jit::toIValue(matched(match, values, name));
    return value && value->isIntList() && value->toIntVector() == expected;
}

// Keras's default MaxPooling2D (2x2, stride 2, valid) as the larger of four strided views of
// the input: ATen's max_pool2d also computes the indices it never uses here, and on a
// channels-last batch of 12 channels at 62 px it took three times as long (1.33 against
// 0.43 ms at batch 64). Equal values, NaN included; odd rows and columns are dropped as
// valid pooling drops them.
void poolTwoByTwoAsMaxima(std::shared_ptr<torch::jit::Graph>& graph)
{
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(R"(
graph(%x, %kernel, %stride, %padding, %dilation, %ceil):
  %out = aten::max_pool2d(%x, %kernel, %stride, %padding, %dilation, %ceil)
  return (%out))",
                                    R"(
graph(%x, %kernel, %stride, %padding, %dilation, %ceil):
  %zero : int = prim::Constant[value=0]()
  %one : int = prim::Constant[value=1]()
  %two : int = prim::Constant[value=2]()
  %three : int = prim::Constant[value=3]()
  %height : int = aten::size(%x, %two)
  %width : int = aten::size(%x, %three)
  %halfHeight : int = aten::floordiv(%height, %two)
  %halfWidth : int = aten::floordiv(%width, %two)
  %rowsEnd : int = aten::mul(%halfHeight, %two)
  %columnsEnd : int = aten::mul(%halfWidth, %two)
  %evenRows : Tensor = aten::slice(%x, %two, %zero, %rowsEnd, %two)
  %oddRows : Tensor = aten::slice(%x, %two, %one, %rowsEnd, %two)
  %topLeft : Tensor = aten::slice(%evenRows, %three, %zero, %columnsEnd, %two)
  %topRight : Tensor = aten::slice(%evenRows, %three, %one, %columnsEnd, %two)
  %bottomLeft : Tensor = aten::slice(%oddRows, %three, %zero, %columnsEnd, %two)
  %bottomRight : Tensor = aten::slice(%oddRows, %three, %one, %columnsEnd, %two)
  %top : Tensor = aten::maximum(%topLeft, %topRight)
  %bottom : Tensor = aten::maximum(%bottomLeft, %bottomRight)
  %out : Tensor = aten::maximum(%top, %bottom)
  return (%out))");
    rewriter.runOnGraph(graph, [](const torch::jit::Match& match, const PatternValues& values) {
        const auto ceil = torch::jit::toIValue(matched(match, values, "ceil"));
        return isConstantList(match, values, "kernel", {2, 2}) &&
               isConstantList(match, values, "stride", {2, 2}) &&
               isConstantList(match, values, "padding", {0, 0}) &&
               isConstantList(match, values, "dilation", {1, 1}) && ceil && ceil->isBool() &&
               !ceil->toBool();
    });
}

} // namespace

torch::jit::Module frozenForInference(const torch::jit::Module& module)
{
    try {
        torch::jit::Module copy = module.clone();
        copy.eval();
        torch::jit::Module frozen = torch::jit::freeze(copy);
        std::shared_ptr<torch::jit::Graph> graph = frozen.get_method("forward").graph();
        applyReluInPlace(graph);
        poolBeforeRelu(graph);
        poolTwoByTwoAsMaxima(graph);
        return frozen;
    } catch (const std::exception&) {
        return module;
    }
}

std::map<std::string, torch::Tensor> layerTensors(const torch::jit::Module& module)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : module.named_parameters(false)) {
        tensors[p.name] = p.value;
    }
    for (const auto& b : module.named_buffers(false)) {
        tensors[b.name] = b.value;
    }
    return tensors;
}

} // namespace studio
