// Tensor handles are plain JS numbers naming a slot in a per-environment table: slot index in
// the low bits, the slot's generation above them, so a handle to a freed (and reused) slot is
// recognised as disposed. No N-API finalizers are involved: Node runs those only when the
// event loop turns, and a synchronous training loop would pile them up. JS frees tensors
// explicitly (scopes), with a FinalizationRegistry as the safety net.
// Generators, few and long-lived, are Externals.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <utility>

#include "args.h"
#include "torch-compat.h"

namespace nnr {

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);

// What an exported function that makes a tensor returns: a handle to it.
inline Napi::Value Wrap(const Args& args, at::Tensor tensor) {
  return WrapTensor(args.env(), std::move(tensor));
}

// An in-place update of argument 0 (`self`). It returns nothing: the JS side returns the same
// tensor object.
template <typename Update>
Napi::Value InPlace(const Args& args, Update&& update) {
  update(args.tensor(0, "self"));
  return args.env().Undefined();
}
// The live tensor a handle names; nullptr when the value is not a handle or names a freed slot.
at::Tensor* LookupTensor(Napi::Env env, const Napi::Value& value);
// Whether the value is a number shaped like a handle (live or not).
bool IsHandleShaped(const Napi::Value& value);
// Frees the tensor; false when the handle was not live.
bool DisposeTensor(Napi::Env env, const Napi::Value& value);
int64_t LiveTensorCount(Napi::Env env);
void InitHandleTable(Napi::Env env);

struct GeneratorBox {
  at::Generator generator;
};

Napi::Value WrapGenerator(Napi::Env env, at::Generator generator);
GeneratorBox* GeneratorBoxOf(Napi::Env env, const Napi::Value& value);

}  // namespace nnr
