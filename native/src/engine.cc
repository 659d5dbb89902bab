// The tooling knobs under study, set in one place, and a report of the engine's build.
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

Napi::Value SetDeterministicAlgorithms(const Args& args) {
  bool warn_only = args.isNullish(1) ? false : args.boolean(1, "warnOnly");
  at::globalContext().setDeterministicAlgorithms(args.boolean(0, "enabled"), warn_only);
  return args.env().Undefined();
}

Napi::Value SetCudnnDeterministic(const Args& args) {
  at::globalContext().setDeterministicCuDNN(args.boolean(0, "enabled"));
  return args.env().Undefined();
}

Napi::Value SetCudnnBenchmark(const Args& args) {
  at::globalContext().setBenchmarkCuDNN(args.boolean(0, "enabled"));
  return args.env().Undefined();
}

Napi::Value SetAllowTF32(const Args& args) {
  bool allow = args.boolean(0, "allow");
  at::globalContext().setAllowTF32CuDNN(allow);
  at::globalContext().setAllowTF32CuBLAS(allow);
  return args.env().Undefined();
}

Napi::Value SetNumThreads(const Args& args) {
  int64_t threads = args.integer(0, "threads");
  if (threads < 1) args.failArg(0, "threads", "a positive integer");
  at::set_num_threads(static_cast<int>(threads));
  return args.env().Undefined();
}

Napi::Value CudaSynchronize(const Args& args) {
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  return args.env().Undefined();
}

Napi::Value EngineInfo(const Args& args) {
  Napi::Env env = args.env();
  auto& context = at::globalContext();
  bool cuda = torch::cuda::is_available();
  auto info = Napi::Object::New(env);
  info.Set("libtorch", TORCH_VERSION);
  info.Set("cxx11Abi", Napi::Boolean::New(env, _GLIBCXX_USE_CXX11_ABI != 0));
  info.Set("cudaAvailable", cuda);
  info.Set("cudaDeviceCount", static_cast<double>(cuda ? torch::cuda::device_count() : 0));
  info.Set("cudnnAvailable", cuda && torch::cuda::cudnn_is_available());
  info.Set("cudaRuntimeVersion",
           cuda ? static_cast<double>(at::detail::getCUDAHooks().versionCUDART()) : 0.0);
  info.Set("cudnnVersion", cuda && context.hasCuDNN()
                               ? static_cast<double>(at::detail::getCUDAHooks().versionCuDNN())
                               : 0.0);
  info.Set("mkldnn", at::hasMKLDNN());
  info.Set("threads", at::get_num_threads());
  info.Set("interopThreads", at::get_num_interop_threads());
  info.Set("parallelInfo", at::get_parallel_info());
  info.Set("deterministicAlgorithms", context.deterministicAlgorithms());
  info.Set("deterministicWarnOnly", context.deterministicAlgorithmsWarnOnly());
  info.Set("cudnnDeterministic", context.deterministicCuDNN());
  info.Set("cudnnBenchmark", context.benchmarkCuDNN());
  info.Set("allowTF32Cudnn", context.allowTF32CuDNN());
  info.Set("allowTF32Cublas", context.allowTF32CuBLAS());
  return info;
}

// libtorch's build summary, as torch.__config__.show() prints it. Its "CPU capability usage"
// line is the vector ISA ATen's kernels dispatch to in this process (the capability itself is
// not exported by every libtorch build).
Napi::Value BuildConfig(const Args& args) {
  return Napi::String::New(args.env(), at::show_config());
}

const Export kExports[] = {
    {"setDeterministicAlgorithms", SetDeterministicAlgorithms},
    {"setCudnnDeterministic", SetCudnnDeterministic},
    {"setCudnnBenchmark", SetCudnnBenchmark},
    {"setAllowTF32", SetAllowTF32},
    {"setNumThreads", SetNumThreads},
    {"cudaSynchronize", CudaSynchronize},
    {"engineInfo", EngineInfo},
    {"buildConfig", BuildConfig},
};

}  // namespace

void RegisterEngine(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
