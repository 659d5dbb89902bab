// The ops an imported (ONNX) graph needs beyond those of nnr's own layers: convolution and
// pooling of any spatial rank, layer normalisation, GELU and erf. Each is one ATen call, so
// autograd is libtorch's.
#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

// convolution(input, weight, bias | null, stride, padding, dilation, groups): 1-D, 2-D or 3-D
// by the weight's rank, symmetric padding (asymmetric pads are applied before, as a pad op).
Napi::Value Convolution(const Args& args) {
  const at::Tensor& input = args.tensor(0, "input");
  const at::Tensor& weight = args.tensor(1, "weight");
  std::vector<int64_t> stride = args.ints(3, "stride");
  std::vector<int64_t> outputPadding(stride.size(), 0);
  return Wrap(args, at::convolution(input, weight, args.optionalTensor(2, "bias"), stride,
                                    args.ints(4, "padding"), args.ints(5, "dilation"), false,
                                    outputPadding, args.integer(6, "groups")));
}

// The arguments every pooling op starts with: input, kernel, stride, padding.
struct PoolArgs {
  at::Tensor input;
  std::vector<int64_t> kernel;
  std::vector<int64_t> stride;
  std::vector<int64_t> padding;
};

PoolArgs PoolArgsOf(const Args& args) {
  return {args.tensor(0, "input"), args.ints(1, "kernel"), args.ints(2, "stride"),
          args.ints(3, "padding")};
}

// Calls the 1-, 2- or 3-D form of a pooling op, as the kernel's rank says.
template <typename Pool1d, typename Pool2d, typename Pool3d>
Napi::Value ByKernelRank(const Args& args, const PoolArgs& pool, Pool1d pool1d, Pool2d pool2d,
                         Pool3d pool3d) {
  switch (pool.kernel.size()) {
    case 1:
      return Wrap(args, pool1d());
    case 2:
      return Wrap(args, pool2d());
    case 3:
      return Wrap(args, pool3d());
    default:
      args.failArg(1, "kernel", "1, 2 or 3 sizes");
  }
}

// maxPoolNd(input, kernel, stride, padding, dilation, ceilMode): the rank is the kernel's.
Napi::Value MaxPoolNd(const Args& args) {
  const PoolArgs p = PoolArgsOf(args);
  std::vector<int64_t> dilation = args.ints(4, "dilation");
  bool ceil = args.boolean(5, "ceilMode");
  return ByKernelRank(
      args, p,
      [&] { return at::max_pool1d(p.input, p.kernel, p.stride, p.padding, dilation, ceil); },
      [&] { return at::max_pool2d(p.input, p.kernel, p.stride, p.padding, dilation, ceil); },
      [&] { return at::max_pool3d(p.input, p.kernel, p.stride, p.padding, dilation, ceil); });
}

// avgPoolNd(input, kernel, stride, padding, ceilMode, countIncludePad)
Napi::Value AvgPoolNd(const Args& args) {
  const PoolArgs p = PoolArgsOf(args);
  bool ceil = args.boolean(4, "ceilMode");
  bool countPad = args.boolean(5, "countIncludePad");
  return ByKernelRank(
      args, p,
      [&] { return at::avg_pool1d(p.input, p.kernel, p.stride, p.padding, ceil, countPad); },
      [&] { return at::avg_pool2d(p.input, p.kernel, p.stride, p.padding, ceil, countPad); },
      [&] { return at::avg_pool3d(p.input, p.kernel, p.stride, p.padding, ceil, countPad); });
}

// layerNorm(input, normalizedShape, weight | null, bias | null, eps)
Napi::Value LayerNorm(const Args& args) {
  return Wrap(args, at::layer_norm(args.tensor(0, "input"), args.ints(1, "normalizedShape"),
                                   args.optionalTensor(2, "weight"), args.optionalTensor(3, "bias"),
                                   args.number(4, "eps"), at::globalContext().userEnabledCuDNN()));
}

// gelu(input, approximate: 'none' | 'tanh')
Napi::Value Gelu(const Args& args) {
  std::string approximate = args.string(1, "approximate");
  if (approximate != "none" && approximate != "tanh")
    args.failArg(1, "approximate", "'none' or 'tanh'");
  return Wrap(args, at::gelu(args.tensor(0, "input"), approximate));
}

Napi::Value Erf(const Args& args) { return Wrap(args, at::erf(args.tensor(0, "input"))); }

const Export kExports[] = {
    {"convolution", Convolution}, {"maxPoolNd", MaxPoolNd}, {"avgPoolNd", AvgPoolNd},
    {"layerNorm", LayerNorm},     {"gelu", Gelu},           {"erf", Erf},
};

}  // namespace

void RegisterGraphOps(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
