// Optimizer updates over every parameter in one call. A step of a small model is dozens of tiny
// ATen ops; crossing from JS for each (argument checks, a handle per temporary, its disposal)
// costs more than the arithmetic. These run the same ATen ops, with the same scalars, in the
// same order as the per-op path in src/nn/optim, so the bits do not change.
#include <cmath>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

// The Scalar a JS number becomes when passed to an op (Args::scalar): integral when it is a
// safe integer, as Python's int. Kept identical so that both paths hand ATen the same Scalar.
at::Scalar JsScalar(double value) {
  constexpr double kMaxSafeInteger = 9007199254740991.0;
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) <= kMaxSafeInteger)
    return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

std::vector<double> Numbers(const Args& args, size_t i, const char* name) {
  if (!args.at(i).IsArray()) args.failArg(i, name, "an array of numbers");
  auto array = args.at(i).As<Napi::Array>();
  std::vector<double> out;
  out.reserve(array.Length());
  for (uint32_t k = 0; k < array.Length(); ++k) {
    Napi::Value v = array.Get(k);
    if (!v.IsNumber()) args.failArg(i, name, "an array of numbers");
    out.push_back(v.As<Napi::Number>().DoubleValue());
  }
  return out;
}

// adamStep(params, grads, expAvgs, expAvgSqs, stepSizes, biasCorrection2Sqrts,
//          beta1, beta2, eps, weightDecay)
// Per parameter i, PyTorch 1.13's _single_tensor_adam:
//   g = wd != 0 ? grad.clone().add_(param, wd) : grad
//   m.mul_(β1).add_(g, 1-β1);  v.mul_(β2).addcmul_(g, g, 1-β2)
//   param.addcdiv_(m, v.sqrt().div(bc2Sqrt[i]).add_(eps), -stepSize[i])
// The step sizes and bias corrections come from JS, where they are computed as before.
Napi::Value AdamStep(const Args& args) {
  std::vector<at::Tensor> params = args.tensors(0, "params");
  std::vector<at::Tensor> grads = args.tensors(1, "grads");
  std::vector<at::Tensor> exp_avgs = args.tensors(2, "expAvgs");
  std::vector<at::Tensor> exp_avg_sqs = args.tensors(3, "expAvgSqs");
  std::vector<double> step_sizes = Numbers(args, 4, "stepSizes");
  std::vector<double> bc2_sqrts = Numbers(args, 5, "biasCorrection2Sqrts");
  const double beta1 = args.number(6, "beta1");
  const double beta2 = args.number(7, "beta2");
  const double eps = args.number(8, "eps");
  const double weight_decay = args.number(9, "weightDecay");
  const size_t n = params.size();
  if (grads.size() != n || exp_avgs.size() != n || exp_avg_sqs.size() != n ||
      step_sizes.size() != n || bc2_sqrts.size() != n) {
    args.fail(
        "params, grads, expAvgs, expAvgSqs, stepSizes and biasCorrection2Sqrts must have one entry "
        "per parameter");
  }
  at::NoGradGuard no_grad;
  const at::Scalar s_beta1 = JsScalar(beta1), s_one_minus_beta1 = JsScalar(1 - beta1);
  const at::Scalar s_beta2 = JsScalar(beta2), s_one_minus_beta2 = JsScalar(1 - beta2);
  const at::Scalar s_eps = JsScalar(eps), s_weight_decay = JsScalar(weight_decay);
  for (size_t i = 0; i < n; ++i) {
    at::Tensor& param = params[i];
    const at::Tensor g =
        weight_decay != 0 ? grads[i].clone().add_(param, s_weight_decay) : grads[i];
    exp_avgs[i].mul_(s_beta1).add_(g, s_one_minus_beta1);
    exp_avg_sqs[i].mul_(s_beta2).addcmul_(g, g, s_one_minus_beta2);
    at::Tensor denom = exp_avg_sqs[i].sqrt().div(JsScalar(bc2_sqrts[i])).add_(s_eps, 1);
    param.addcdiv_(exp_avgs[i], denom, JsScalar(-step_sizes[i]));
  }
  return args.env().Undefined();
}

const Export kExports[] = {
    {"adamStep", AdamStep},
};

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
