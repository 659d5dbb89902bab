// Tensor and generator handles: JS holds an External pointing at a box that owns the
// libtorch object. dispose() frees the tensor at once; the External's finalizer frees the box
// (and the tensor, if JS never disposed it) when the handle is garbage-collected.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

namespace nnr {

struct TensorBox {
  at::Tensor tensor;
};

struct GeneratorBox {
  at::Generator generator;
};

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);
// Returns nullptr when the value is not a tensor handle.
TensorBox* TensorBoxOf(Napi::Env env, const Napi::Value& value);
void DisposeTensor(TensorBox* box);
int64_t LiveTensorCount();

Napi::Value WrapGenerator(Napi::Env env, at::Generator generator);
GeneratorBox* GeneratorBoxOf(Napi::Env env, const Napi::Value& value);

}  // namespace nnr
