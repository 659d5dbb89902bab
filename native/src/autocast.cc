// Mixed precision as torch.autocast does it: a thread-local switch that makes ATen's dispatcher
// run convolutions and matmuls in a lower precision while the weights stay fp32. The ops run on
// the JavaScript thread that calls the addon, so that is the thread the switch is set on.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "registry.h"

// libtorch 2.4 replaced the per-device setters with ones that take the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define NNR_AUTOCAST_BY_DEVICE 1
#else
#define NNR_AUTOCAST_BY_DEVICE 0
#endif

namespace nnr {
namespace {

at::ScalarType LowerPrecision(const Args& args, size_t index) {
  std::string name = args.string(index, "dtype");
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float16") return at::kHalf;
  args.failArg(index, "dtype", "\"bfloat16\" or \"float16\"");
}

bool IsCuda(const Args& args, size_t index) {
  std::string device = args.string(index, "deviceType");
  if (device == "cuda") return true;
  if (device != "cpu") args.failArg(index, "deviceType", "\"cpu\" or \"cuda\"");
  return false;
}

void SetEnabled(bool cuda, bool enabled) {
#if NNR_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
#else
  if (cuda) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

bool IsEnabled(bool cuda) {
#if NNR_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void SetDtype(bool cuda, at::ScalarType dtype) {
#if NNR_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

// autocastEnter(deviceType, dtype): returns whether autocast was already on, for the exit.
Napi::Value AutocastEnter(const Args& args) {
  bool cuda = IsCuda(args, 0);
  at::ScalarType dtype = LowerPrecision(args, 1);
  bool previous = IsEnabled(cuda);
  SetDtype(cuda, dtype);
  SetEnabled(cuda, true);
  at::autocast::increment_nesting();
  return Napi::Boolean::New(args.env(), previous);
}

// autocastExit(deviceType, previous): as torch.autocast's __exit__, the cache of casted weights
// is dropped when the outermost region ends (the weights change at the next optimizer step).
Napi::Value AutocastExit(const Args& args) {
  bool cuda = IsCuda(args, 0);
  bool previous = args.boolean(1, "previous");
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(cuda, previous);
  return args.env().Undefined();
}

Napi::Value AutocastEnabled(const Args& args) {
  return Napi::Boolean::New(args.env(), IsEnabled(IsCuda(args, 0)));
}

const Export kExports[] = {
    {"autocastEnter", AutocastEnter},
    {"autocastExit", AutocastExit},
    {"autocastEnabled", AutocastEnabled},
};

}  // namespace

void RegisterAutocast(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
