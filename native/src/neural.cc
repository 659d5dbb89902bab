// The functional ops of CNN training: convolution, pooling, normalisation, activations, losses.
#include <ATen/core/Reduction.h>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

int64_t ParseReduction(const Args& args, size_t i) {
  if (args.isNullish(i)) return at::Reduction::Mean;
  std::string name = args.string(i, "reduction");
  if (name == "mean") return at::Reduction::Mean;
  if (name == "sum") return at::Reduction::Sum;
  if (name == "none") return at::Reduction::None;
  args.failArg(i, "reduction", "'mean', 'sum' or 'none'");
}

// conv2d(input, weight, bias | null, stride, padding: number[] | 'same' | 'valid', dilation,
// groups)
Napi::Value Conv2d(const Args& args) {
  const at::Tensor& input = args.tensor(0, "input");
  const at::Tensor& weight = args.tensor(1, "weight");
  at::Tensor bias = args.optionalTensor(2, "bias");
  std::vector<int64_t> stride = args.ints(3, "stride");
  std::vector<int64_t> dilation = args.ints(5, "dilation");
  int64_t groups = args.integer(6, "groups");
  if (args.at(4).IsString()) {
    std::string padding = args.string(4, "padding");
    if (padding != "same" && padding != "valid")
      args.failArg(4, "padding", "'same', 'valid' or an array of integers");
    return Wrap(args, at::conv2d(input, weight, bias, stride, padding, dilation, groups));
  }
  return Wrap(args,
              at::conv2d(input, weight, bias, stride, args.ints(4, "padding"), dilation, groups));
}

// maxPool2d(input, kernel, stride, padding, dilation, ceilMode)
Napi::Value MaxPool2d(const Args& args) {
  return Wrap(args, at::max_pool2d(args.tensor(0, "input"), args.ints(1, "kernel"),
                                   args.ints(2, "stride"), args.ints(3, "padding"),
                                   args.ints(4, "dilation"), args.boolean(5, "ceilMode")));
}

// avgPool2d(input, kernel, stride, padding, ceilMode, countIncludePad)
Napi::Value AvgPool2d(const Args& args) {
  return Wrap(
      args, at::avg_pool2d(args.tensor(0, "input"), args.ints(1, "kernel"), args.ints(2, "stride"),
                           args.ints(3, "padding"), args.boolean(4, "ceilMode"),
                           args.boolean(5, "countIncludePad")));
}

Napi::Value AdaptiveAvgPool2d(const Args& args) {
  return Wrap(args, at::adaptive_avg_pool2d(args.tensor(0, "input"), args.ints(1, "outputSize")));
}

// batchNorm(input, weight, bias, runningMean, runningVar, training, momentum, eps)
// In training the running statistics are updated in place, as torch.nn.functional.batch_norm does.
Napi::Value BatchNorm(const Args& args) {
  return Wrap(args,
              at::batch_norm(args.tensor(0, "input"), args.optionalTensor(1, "weight"),
                             args.optionalTensor(2, "bias"), args.optionalTensor(3, "runningMean"),
                             args.optionalTensor(4, "runningVar"), args.boolean(5, "training"),
                             args.number(6, "momentum"), args.number(7, "eps"),
                             at::globalContext().userEnabledCuDNN()));
}

Napi::Value Linear(const Args& args) {
  return Wrap(args, at::linear(args.tensor(0, "input"), args.tensor(1, "weight"),
                               args.optionalTensor(2, "bias")));
}

Napi::Value Matmul(const Args& args) {
  return Wrap(args, at::matmul(args.tensor(0, "input"), args.tensor(1, "other")));
}
Napi::Value Relu(const Args& args) { return Wrap(args, at::relu(args.tensor(0, "input"))); }
Napi::Value Sigmoid(const Args& args) { return Wrap(args, at::sigmoid(args.tensor(0, "input"))); }
Napi::Value Silu(const Args& args) { return Wrap(args, at::silu(args.tensor(0, "input"))); }

Napi::Value Hardtanh(const Args& args) {
  return Wrap(args,
              at::hardtanh(args.tensor(0, "input"), args.scalar(1, "min"), args.scalar(2, "max")));
}

Napi::Value LeakyRelu(const Args& args) {
  return Wrap(args, at::leaky_relu(args.tensor(0, "input"), args.scalar(1, "negativeSlope")));
}

Napi::Value Softmax(const Args& args) {
  return Wrap(args, at::softmax(args.tensor(0, "input"), args.integer(1, "dim")));
}
Napi::Value LogSoftmax(const Args& args) {
  return Wrap(args, at::log_softmax(args.tensor(0, "input"), args.integer(1, "dim")));
}

Napi::Value OneHot(const Args& args) {
  return Wrap(args, at::one_hot(args.tensor(0, "indices"), args.integer(1, "classes")));
}

// crossEntropy(logits, target, weight | null, reduction, labelSmoothing)
// target holds class indices (int64) or class probabilities (float), as in PyTorch.
Napi::Value CrossEntropy(const Args& args) {
  double smoothing = args.isNullish(4) ? 0.0 : args.number(4, "labelSmoothing");
  return Wrap(args, at::cross_entropy_loss(args.tensor(0, "input"), args.tensor(1, "target"),
                                           args.optionalTensor(2, "weight"),
                                           ParseReduction(args, 3), -100, smoothing));
}

// nllLoss(logProbabilities, target, weight | null, reduction)
Napi::Value NllLoss(const Args& args) {
  return Wrap(args, at::nll_loss(args.tensor(0, "input"), args.tensor(1, "target"),
                                 args.optionalTensor(2, "weight"), ParseReduction(args, 3), -100));
}

// binaryCrossEntropyWithLogits(logits, target, weight | null, posWeight | null, reduction)
Napi::Value BinaryCrossEntropyWithLogits(const Args& args) {
  return Wrap(
      args, at::binary_cross_entropy_with_logits(
                args.tensor(0, "input"), args.tensor(1, "target"), args.optionalTensor(2, "weight"),
                args.optionalTensor(3, "posWeight"), ParseReduction(args, 4)));
}

Napi::Value MseLoss(const Args& args) {
  return Wrap(args, at::mse_loss(args.tensor(0, "input"), args.tensor(1, "target"),
                                 ParseReduction(args, 2)));
}

const Export kExports[] = {
    {"conv2d", Conv2d},       {"maxPool2d", MaxPool2d},
    {"avgPool2d", AvgPool2d}, {"adaptiveAvgPool2d", AdaptiveAvgPool2d},
    {"batchNorm", BatchNorm}, {"linear", Linear},
    {"matmul", Matmul},       {"relu", Relu},
    {"sigmoid", Sigmoid},     {"silu", Silu},
    {"hardtanh", Hardtanh},   {"leakyRelu", LeakyRelu},
    {"softmax", Softmax},     {"logSoftmax", LogSoftmax},
    {"oneHot", OneHot},       {"crossEntropy", CrossEntropy},
    {"nllLoss", NllLoss},     {"binaryCrossEntropyWithLogits", BinaryCrossEntropyWithLogits},
    {"mseLoss", MseLoss},
};

}  // namespace

void RegisterNeural(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
