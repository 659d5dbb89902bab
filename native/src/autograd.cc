// Autograd: gradient tracking flags, backward, and access to .grad.
#include <ATen/core/grad_mode.h>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

Napi::Value SetRequiresGrad(const Args& args) {
  args.tensor(0, "tensor").requires_grad_(args.boolean(1, "requiresGrad"));
  return args.env().Undefined();
}

Napi::Value RequiresGrad(const Args& args) {
  return Napi::Boolean::New(args.env(), args.tensor(0, "tensor").requires_grad());
}

Napi::Value IsLeaf(const Args& args) {
  return Napi::Boolean::New(args.env(), args.tensor(0, "tensor").is_leaf());
}

// backward(tensor, gradient | null, retainGraph)
Napi::Value Backward(const Args& args) {
  const at::Tensor& t = args.tensor(0, "tensor");
  at::Tensor gradient = args.optionalTensor(1, "gradient");
  bool retain = args.isNullish(2) ? false : args.boolean(2, "retainGraph");
  t.backward(gradient, retain, false);
  return args.env().Undefined();
}

// grad(tensor) -> a new handle to the accumulated gradient, or null when there is none.
Napi::Value Grad(const Args& args) {
  const at::Tensor& grad = args.tensor(0, "tensor").grad();
  if (!grad.defined()) return args.env().Null();
  return Wrap(args, grad);
}

// setGrad(tensor, gradient | null): null drops the gradient, as zero_grad(set_to_none=True).
Napi::Value SetGrad(const Args& args) {
  at::Tensor& t = args.tensor(0, "tensor");
  t.mutable_grad() = args.optionalTensor(1, "gradient");
  return args.env().Undefined();
}

Napi::Value GradEnabled(const Args& args) {
  return Napi::Boolean::New(args.env(), at::GradMode::is_enabled());
}

Napi::Value SetGradEnabled(const Args& args) {
  at::GradMode::set_enabled(args.boolean(0, "enabled"));
  return args.env().Undefined();
}

const Export kExports[] = {
    {"setRequiresGrad", SetRequiresGrad},
    {"requiresGrad", RequiresGrad},
    {"isLeaf", IsLeaf},
    {"backward", Backward},
    {"grad", Grad},
    {"setGrad", SetGrad},
    {"gradEnabled", GradEnabled},
    {"setGradEnabled", SetGradEnabled},
};

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
