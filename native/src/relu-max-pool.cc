// ReLU of 2×2 max pooling (stride 2, no padding) as one autograd function: the fused kernels
// (relu-max-pool-kernels.cc, where the bit-for-bit argument is) on float32 CPU tensors in NCHW
// or channels_last, ATen's max_pool2d then relu elsewhere. The forward saves a one-byte code
// per output for the backward; with gradients off it saves nothing.
#include <torch/csrc/autograd/custom_function.h>

#include "handles.h"
#include "registry.h"
#include "relu-max-pool-kernels.h"

namespace nnr {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

Pooling PoolingOf(const at::Tensor& input, bool channelsLast) {
  return {input.size(0),     input.size(1),     input.size(2), input.size(3),
          input.size(2) / 2, input.size(3) / 2, channelsLast};
}

at::MemoryFormat FormatOf(const Pooling& p) {
  return p.channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
}

// The output in the layout ATen's max pooling gives it (the input's suggested one), and the
// codes in the same element order when the backward will need them.
at::Tensor PoolForward(const at::Tensor& input, const Pooling& p, at::Tensor* codes) {
  std::vector<int64_t> sizes{p.batch, p.channels, p.outHeight, p.outWidth};
  at::Tensor out = at::empty(sizes, input.options().memory_format(FormatOf(p)));
  uint8_t* code = nullptr;
  if (codes != nullptr) {
    *codes = at::empty(sizes, input.options().dtype(at::kByte).memory_format(FormatOf(p)));
    code = codes->data_ptr<uint8_t>();
  }
  ReluMaxPoolForward(p, input.data_ptr<float>(), out.data_ptr<float>(), code);
  return out;
}

struct ReluMaxPoolFunction : torch::autograd::Function<ReluMaxPoolFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, bool channelsLast) {
    Pooling p = PoolingOf(input, channelsLast);
    at::Tensor codes;
    at::Tensor out = PoolForward(input, p, &codes);
    ctx->save_for_backward({codes});
    ctx->saved_data["height"] = p.height;
    ctx->saved_data["width"] = p.width;
    ctx->saved_data["channelsLast"] = channelsLast;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list gradOutputs) {
    at::Tensor codes = ctx->get_saved_variables()[0];
    bool channelsLast = ctx->saved_data["channelsLast"].toBool();
    Pooling p{codes.size(0),
              codes.size(1),
              ctx->saved_data["height"].toInt(),
              ctx->saved_data["width"].toInt(),
              codes.size(2),
              codes.size(3),
              channelsLast};
    at::MemoryFormat format = FormatOf(p);
    at::Tensor g = gradOutputs[0].contiguous(format);
    at::Tensor gin =
        at::empty({p.batch, p.channels, p.height, p.width}, g.options().memory_format(format));
    ReluMaxPoolBackward(p, g.data_ptr<float>(), codes.data_ptr<uint8_t>(), gin.data_ptr<float>());
    return {gin, at::Tensor()};
  }
};

// reluMaxPool2x2(input): relu(max_pool2d(input, 2)). The fused kernels take float32 CPU
// tensors of 4 dimensions, dense in NCHW or channels_last (as ATen's pooling picks the
// layout), of at least 2 channels and an output of at least 2×2; anything else goes through
// ATen's own two ops.
Napi::Value ReluMaxPool2x2(const Args& args) {
  const at::Tensor& input = args.tensor(0, "input");
  // Outputs with a dimension of 1 are left to ATen: its ReLU then gives strides of its own
  // choosing to the size-1 dimensions, and the fused output must have the same strides.
  bool fused = input.device().is_cpu() && input.scalar_type() == at::kFloat && input.dim() == 4 &&
               input.size(0) >= 1 && input.size(1) >= 2 && input.size(2) >= 4 &&
               input.size(3) >= 4 && !input.is_mkldnn();
  at::MemoryFormat format = at::MemoryFormat::Contiguous;
  if (fused) {
    format = input.suggest_memory_format();
    fused = (format == at::MemoryFormat::ChannelsLast || format == at::MemoryFormat::Contiguous) &&
            input.is_contiguous(format);
  }
  if (!fused) return Wrap(args, at::relu(at::max_pool2d(input, {2, 2}, {2, 2})));
  bool channelsLast = format == at::MemoryFormat::ChannelsLast;
  if (at::GradMode::is_enabled() && input.requires_grad()) {
    return Wrap(args, ReluMaxPoolFunction::apply(input, channelsLast));
  }
  return Wrap(args, PoolForward(input, PoolingOf(input, channelsLast), nullptr));
}

const Export kExports[] = {{"reluMaxPool2x2", ReluMaxPool2x2}};

}  // namespace

void RegisterReluMaxPool(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
