#include "model/dnnllayers_p.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/saved_variable.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace studio {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Arguments = std::unordered_map<int, memory>;

constexpr size_t kMostPlans = 16; // input shapes kept per layer (batch sizes, image sizes)

dnnl::engine& cpuEngine()
{
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

memory::desc floats(torch::IntArrayRef sizes, Tag layout)
{
    return memory::desc(memory::dims(sizes.begin(), sizes.end()), memory::data_type::f32, layout);
}

// LibTorch's layout of a weight tensor: [units, features] for Dense; [O, I, kH, kW] for
// Conv2D, OIHW, or OHWI after useChannelsLast().
Tag weightLayout(const torch::Tensor& weight)
{
    if (weight.dim() == 2) {
        return Tag::oi;
    }
    return weight.is_contiguous() ? Tag::oihw : Tag::ohwi;
}

// What a plan is made for: one layer call's shapes and options.
struct PlanKey
{
    std::vector<int64_t> input;
    std::vector<int64_t> weight;
    ConvolutionSteps steps;
    Tag weights;
    bool bias;
    bool relu;

    bool operator<(const PlanKey& other) const
    {
        return std::tie(input, weight, steps.strides, steps.pads, weights, bias, relu) <
               std::tie(other.input, other.weight, other.steps.strides, other.steps.pads,
                        other.weights, other.bias, other.relu);
    }
};

// A layer's three primitive descriptions for one shape, and the layouts LibTorch's tensors have.
struct Descriptions
{
    memory::desc source, destination, userWeights, bias;
    dnnl::primitive_desc forward, inputGradient, weightGradients;
};

dnnl::primitive_attr attributes(bool relu)
{
    dnnl::primitive_attr attributes;
    attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        attributes.set_post_ops(ops);
    }
    return attributes;
}

Descriptions convolutionDescriptions(const PlanKey& key)
{
    const auto& in = key.input;
    const auto& w = key.weight;
    const auto& s = key.steps;
    const int64_t rows = (in[2] + s.pads[0] + s.pads[1] - w[2]) / s.strides[0] + 1;
    const int64_t cols = (in[3] + s.pads[2] + s.pads[3] - w[3]) / s.strides[1] + 1;
    if (in[2] + s.pads[0] + s.pads[1] < w[2] || in[3] + s.pads[2] + s.pads[3] < w[3]) {
        throw std::invalid_argument("a Conv2D window of " + std::to_string(w[2]) + "x" +
                                    std::to_string(w[3]) + " is larger than its input of " +
                                    std::to_string(in[2]) + "x" + std::to_string(in[3]) +
                                    " pixels: use a larger image size, \"same\" padding, or fewer "
                                    "pooling layers before it");
    }
    Descriptions d;
    d.source = floats(in, Tag::nhwc);
    d.destination = floats({in[0], w[0], rows, cols}, Tag::nhwc);
    d.userWeights = floats(w, key.weights);
    d.bias = floats({w[0]}, Tag::x);
    const memory::desc weights = floats(w, Tag::any);
    const memory::desc bias = key.bias ? d.bias : memory::desc();
    const memory::dims strides = {s.strides[0], s.strides[1]};
    const memory::dims before = {s.pads[0], s.pads[2]};
    const memory::dims after = {s.pads[1], s.pads[3]};
    const auto direct = dnnl::algorithm::convolution_direct;
    const dnnl::convolution_forward::primitive_desc forward({dnnl::prop_kind::forward_training,
                                                             direct, d.source, weights, bias,
                                                             d.destination, strides, before, after},
                                                            attributes(key.relu), cpuEngine());
    d.forward = forward;
    d.inputGradient = dnnl::convolution_backward_data::primitive_desc(
        {direct, d.source, weights, d.destination, strides, before, after}, attributes(false),
        cpuEngine(), forward);
    d.weightGradients = dnnl::convolution_backward_weights::primitive_desc(
        {direct, d.source, weights, bias, d.destination, strides, before, after}, attributes(false),
        cpuEngine(), forward);
    return d;
}

Descriptions denseDescriptions(const PlanKey& key)
{
    const auto& w = key.weight;
    Descriptions d;
    d.source = floats(key.input, Tag::nc);
    d.destination = floats({key.input[0], w[0]}, Tag::nc);
    d.userWeights = floats(w, Tag::oi);
    d.bias = floats({w[0]}, Tag::x);
    const memory::desc bias = key.bias ? d.bias : memory::desc();
    const dnnl::inner_product_forward::primitive_desc forward(
        {dnnl::prop_kind::forward_training, d.source, d.userWeights, bias, d.destination},
        attributes(key.relu), cpuEngine());
    d.forward = forward;
    d.inputGradient = dnnl::inner_product_backward_data::primitive_desc(
        {d.source, d.userWeights, d.destination}, attributes(false), cpuEngine(), forward);
    d.weightGradients = dnnl::inner_product_backward_weights::primitive_desc(
        {d.source, d.userWeights, bias, d.destination}, attributes(false), cpuEngine(), forward);
    return d;
}

// Runs a primitive on the calling thread's OpenMP threads, its scratch memory from LibTorch's
// allocator.
void execute(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& description,
             Arguments args)
{
    const memory::desc scratchpad = description.scratchpad_desc();
    const torch::Tensor scratch = torch::empty({int64_t(scratchpad.get_size())}, torch::kUInt8);
    args.insert({DNNL_ARG_SCRATCHPAD, memory(scratchpad, cpuEngine(), scratch.data_ptr())});
    dnnl::stream stream(cpuEngine());
    primitive.execute(stream, args);
    stream.wait();
}

// A tensor's way between two layouts (LibTorch's and a primitive's), its reorder made once.
class Relayout
{
public:
    Relayout(const memory::desc& from, const memory::desc& to) : m_from(from), m_to(to)
    {
        if (from != to) {
            dnnl::primitive_attr attributes;
            attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
            m_description =
                dnnl::reorder::primitive_desc(cpuEngine(), from, cpuEngine(), to, attributes);
            m_reorder = dnnl::reorder(m_description);
        }
    }

    // `data` (laid out as `from`) as memory laid out as `to`: `data` itself when the layouts
    // agree, else a copy whose storage `keep` holds.
    memory converted(void* data, torch::Tensor& keep) const
    {
        if (m_from == m_to) {
            return memory(m_to, cpuEngine(), data);
        }
        keep = torch::empty({int64_t(m_to.get_size())}, torch::kUInt8);
        memory copy(m_to, cpuEngine(), keep.data_ptr());
        execute(m_reorder, m_description,
                {{DNNL_ARG_FROM, memory(m_from, cpuEngine(), data)}, {DNNL_ARG_TO, copy}});
        return copy;
    }

    // Memory laid out as `from` for a result bound for `data` (laid out as `to`): `data`
    // itself when the layouts agree, else storage that `keep` holds until deliver().
    memory staging(void* data, torch::Tensor& keep) const
    {
        if (m_from == m_to) {
            return memory(m_from, cpuEngine(), data);
        }
        keep = torch::empty({int64_t(m_from.get_size())}, torch::kUInt8);
        return memory(m_from, cpuEngine(), keep.data_ptr());
    }

    void deliver(const memory& staged, void* data) const
    {
        if (m_from != m_to) {
            execute(m_reorder, m_description,
                    {{DNNL_ARG_FROM, staged}, {DNNL_ARG_TO, memory(m_to, cpuEngine(), data)}});
        }
    }

private:
    memory::desc m_from, m_to;
    dnnl::reorder::primitive_desc m_description;
    dnnl::reorder m_reorder;
};

torch::Tensor emptyLike(const memory::desc& desc, const torch::TensorOptions& options)
{
    const memory::dims sizes = desc.dims();
    const torch::MemoryFormat format =
        sizes.size() == 4 ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    return torch::empty(sizes, options.memory_format(format));
}

// One input shape's forward, input-gradient and weight-gradient primitives.
class Plan
{
public:
    Plan(const PlanKey& key, Descriptions descriptions)
        : m_key(key), m_d(std::move(descriptions)), m_forward(m_d.forward),
          m_inputGradient(m_d.inputGradient), m_weightGradients(m_d.weightGradients),
          m_forwardWeights(m_d.userWeights, m_d.forward.weights_desc(0)),
          m_inputGradientWeights(m_d.userWeights, m_d.inputGradient.weights_desc(0)),
          m_weightGradient(m_d.weightGradients.diff_weights_desc(0), m_d.userWeights)
    {}

    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias) const
    {
        torch::Tensor y = emptyLike(m_d.destination, x.options());
        torch::Tensor kept;
        Arguments args = {{DNNL_ARG_SRC, memory(m_d.source, cpuEngine(), x.data_ptr())},
                          {DNNL_ARG_WEIGHTS, m_forwardWeights.converted(weight.data_ptr(), kept)},
                          {DNNL_ARG_DST, memory(m_d.destination, cpuEngine(), y.data_ptr())}};
        if (m_key.bias) {
            args.insert({DNNL_ARG_BIAS, memory(m_d.bias, cpuEngine(), bias.data_ptr())});
        }
        execute(m_forward, m_d.forward, std::move(args));
        return y;
    }

    torch::Tensor inputGradient(const torch::Tensor& grad, const torch::Tensor& weight) const
    {
        torch::Tensor gradInput = emptyLike(m_d.source, grad.options());
        torch::Tensor kept;
        execute(m_inputGradient, m_d.inputGradient,
                {{DNNL_ARG_DIFF_DST, memory(m_d.destination, cpuEngine(), grad.data_ptr())},
                 {DNNL_ARG_WEIGHTS, m_inputGradientWeights.converted(weight.data_ptr(), kept)},
                 {DNNL_ARG_DIFF_SRC, memory(m_d.source, cpuEngine(), gradInput.data_ptr())}});
        return gradInput;
    }

    // The gradients of the weights (laid out as `weight`) and of the bias (undefined without).
    std::pair<torch::Tensor, torch::Tensor> weightGradients(const torch::Tensor& x,
                                                            const torch::Tensor& grad,
                                                            const torch::Tensor& weight) const
    {
        const torch::Tensor gradWeight = torch::empty_like(weight);
        torch::Tensor gradBias;
        torch::Tensor kept;
        const memory computed = m_weightGradient.staging(gradWeight.data_ptr(), kept);
        Arguments args = {
            {DNNL_ARG_SRC, memory(m_d.source, cpuEngine(), x.data_ptr())},
            {DNNL_ARG_DIFF_DST, memory(m_d.destination, cpuEngine(), grad.data_ptr())},
            {DNNL_ARG_DIFF_WEIGHTS, computed}};
        if (m_key.bias) {
            gradBias = torch::empty({m_key.weight[0]}, grad.options());
            args.insert({DNNL_ARG_DIFF_BIAS, memory(m_d.bias, cpuEngine(), gradBias.data_ptr())});
        }
        execute(m_weightGradients, m_d.weightGradients, std::move(args));
        m_weightGradient.deliver(computed, gradWeight.data_ptr());
        return {gradWeight, gradBias};
    }

    bool relu() const { return m_key.relu; }

private:
    PlanKey m_key;
    Descriptions m_d;
    dnnl::primitive m_forward, m_inputGradient, m_weightGradients;
    Relayout m_forwardWeights, m_inputGradientWeights; // LibTorch's weights to the primitives'
    Relayout m_weightGradient;                         // the computed gradient to LibTorch's
};

// The gradient node of a dnnlConvolution() or dnnlDense() call: inputs x, weight, bias.
class DnnlLayerBackward : public torch::autograd::Node
{
public:
    std::string name() const override { return "DnnlLayerBackward"; }

    torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        torch::autograd::variable_list out(3);
        if (!grads[0].defined()) {
            return out;
        }
        torch::Tensor grad = grads[0];
        if (plan->relu()) {
            grad = torch::threshold_backward(grad, output.unpack(shared_from_this()), 0);
        }
        grad = grad.dim() == 4 ? grad.contiguous(torch::MemoryFormat::ChannelsLast)
                               : grad.contiguous();
        const torch::Tensor w = weight.unpack();
        if (should_compute_output(0)) {
            out[0] = plan->inputGradient(grad, w);
        }
        if (should_compute_output(1) || should_compute_output(2)) {
            auto [gradWeight, gradBias] = plan->weightGradients(input.unpack(), grad, w);
            out[1] = should_compute_output(1) ? gradWeight : torch::Tensor();
            out[2] = should_compute_output(2) ? gradBias : torch::Tensor();
        }
        return out;
    }

    void release_variables() override
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        input.reset_data();
        weight.reset_data();
        output.reset_data();
    }

    std::shared_ptr<const Plan> plan;
    torch::autograd::SavedVariable input, weight, output;
};

bool plainFloats(const torch::Tensor& x, const torch::Tensor& weight)
{
    return x.device().is_cpu() && x.layout() == torch::kStrided && !x.is_quantized() &&
           x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 &&
           weight.device().is_cpu() && weight.layout() == torch::kStrided &&
           !at::autocast::is_cpu_enabled();
}

} // namespace

class DnnlPlans
{
public:
    using Make = Descriptions (*)(const PlanKey&);

    std::shared_ptr<const Plan> planFor(const PlanKey& key, Make make)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        auto found = m_plans.find(key);
        if (found == m_plans.end()) {
            if (m_plans.size() >= kMostPlans) {
                m_plans.clear();
            }
            found = m_plans.emplace(key, std::make_shared<const Plan>(key, make(key))).first;
        }
        return found->second;
    }

private:
    std::mutex m_mutex;
    std::map<PlanKey, std::shared_ptr<const Plan>> m_plans;
};

namespace {

// Runs the layer `key` describes, and records its gradient node when autograd wants one.
torch::Tensor runLayer(DnnlPlans& plans, DnnlPlans::Make make, const PlanKey& key,
                       const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b)
{
    std::shared_ptr<const Plan> plan = plans.planFor(key, make);
    torch::Tensor y = plan->forward(x, w, b);
    if (torch::autograd::compute_requires_grad(x, w, b)) {
        auto node = std::shared_ptr<DnnlLayerBackward>(new DnnlLayerBackward(),
                                                       torch::autograd::deleteNode);
        node->set_next_edges(torch::autograd::collect_next_edges(x, w, b));
        node->plan = plan;
        node->input = torch::autograd::SavedVariable(x, false);
        node->weight = torch::autograd::SavedVariable(w, false);
        torch::autograd::set_history(y, node);
        if (key.relu) {
            node->output = torch::autograd::SavedVariable(y, true);
        }
    }
    return y;
}

} // namespace

std::shared_ptr<DnnlPlans> makeDnnlPlans()
{
    return std::make_shared<DnnlPlans>();
}

bool canConvolveWithDnnl(const torch::Tensor& x, const torch::Tensor& weight)
{
    return x.dim() == 4 && weight.dim() == 4 && plainFloats(x, weight) &&
           x.is_contiguous(torch::MemoryFormat::ChannelsLast);
}

torch::Tensor dnnlConvolution(const std::shared_ptr<DnnlPlans>& plans, const torch::Tensor& x,
                              const torch::Tensor& weight, const torch::Tensor& bias,
                              const ConvolutionSteps& steps, bool relu)
{
    const torch::Tensor w =
        weight.is_contiguous() || weight.is_contiguous(torch::MemoryFormat::ChannelsLast)
            ? weight
            : weight.contiguous();
    const torch::Tensor b = bias.defined() ? bias.contiguous() : bias;
    const PlanKey key{x.sizes().vec(), w.sizes().vec(), steps, weightLayout(w), b.defined(), relu};
    return runLayer(*plans, convolutionDescriptions, key, x, w, b);
}

bool canDenseWithDnnl(const torch::Tensor& x, const torch::Tensor& weight)
{
    return x.dim() == 2 && weight.dim() == 2 && plainFloats(x, weight);
}

torch::Tensor dnnlDense(const std::shared_ptr<DnnlPlans>& plans, const torch::Tensor& x,
                        const torch::Tensor& weight, const torch::Tensor& bias, bool relu)
{
    const torch::Tensor input = x.contiguous();
    const torch::Tensor w = weight.contiguous();
    const torch::Tensor b = bias.defined() ? bias.contiguous() : bias;
    const PlanKey key{input.sizes().vec(), w.sizes().vec(), {}, Tag::oi, b.defined(), relu};
    return runLayer(*plans, denseDescriptions, key, input, w, b);
}

} // namespace studio
