#include "handles.h"

#include <atomic>

namespace nnr {
namespace {

// Type tags let us reject any JS value that is not one of our handles before touching memory.
const napi_type_tag kTensorTag = {0x6e6e72546e736f72ULL, 0x1f3c5a7e9b2d4f61ULL};
const napi_type_tag kGeneratorTag = {0x6e6e7247656e6572ULL, 0x2a4c6e8f1b3d5e70ULL};

std::atomic<int64_t> live_tensors{0};

bool HasTag(Napi::Env env, const Napi::Value& value, const napi_type_tag* tag) {
  if (value.Type() != napi_external) return false;
  bool result = false;
  return napi_check_object_type_tag(env, value, tag, &result) == napi_ok && result;
}

}  // namespace

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  auto* box = new TensorBox{std::move(tensor)};
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  auto external = Napi::External<TensorBox>::New(env, box, [](Napi::Env, TensorBox* dead) {
    DisposeTensor(dead);
    delete dead;
  });
  napi_type_tag_object(env, external, &kTensorTag);
  return external;
}

TensorBox* TensorBoxOf(Napi::Env env, const Napi::Value& value) {
  if (!HasTag(env, value, &kTensorTag)) return nullptr;
  return value.As<Napi::External<TensorBox>>().Data();
}

void DisposeTensor(TensorBox* box) {
  if (!box->tensor.defined()) return;
  box->tensor.reset();
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t LiveTensorCount() { return live_tensors.load(std::memory_order_relaxed); }

Napi::Value WrapGenerator(Napi::Env env, at::Generator generator) {
  auto* box = new GeneratorBox{std::move(generator)};
  auto external = Napi::External<GeneratorBox>::New(
      env, box, [](Napi::Env, GeneratorBox* dead) { delete dead; });
  napi_type_tag_object(env, external, &kGeneratorTag);
  return external;
}

GeneratorBox* GeneratorBoxOf(Napi::Env env, const Napi::Value& value) {
  if (!HasTag(env, value, &kGeneratorTag)) return nullptr;
  return value.As<Napi::External<GeneratorBox>>().Data();
}

}  // namespace nnr
