// One table of exported functions per source file. Every call goes through one trampoline
// that turns any C++ exception into a JS Error carrying libtorch's message.
#pragma once

#include <napi.h>

#include "args.h"

namespace nnr {

using NativeFn = Napi::Value (*)(const Args& args);

struct Export {
  const char* name;
  NativeFn fn;
};

void RegisterExports(Napi::Env env, Napi::Object exports, const Export* table, size_t count);

template <size_t N>
void RegisterTable(Napi::Env env, Napi::Object exports, const Export (&table)[N]) {
  RegisterExports(env, exports, table, N);
}

// Each file defines one of these.
void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterPointwise(Napi::Env env, Napi::Object exports);
void RegisterReduction(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNeural(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterRandom(Napi::Env env, Napi::Object exports);
void RegisterEngine(Napi::Env env, Napi::Object exports);
void RegisterAllocator(Napi::Env env, Napi::Object exports);
void RegisterAutocast(Napi::Env env, Napi::Object exports);
#ifdef NNR_WITH_CUDA
// native/src/cuda/: only in builds against a libtorch with CUDA.
void RegisterCuda(Napi::Env env, Napi::Object exports);
#endif
void RegisterDistributed(Napi::Env env, Napi::Object exports);
void RegisterSyncBatchNorm(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterReluMaxPool(Napi::Env env, Napi::Object exports);
void RegisterGraphOps(Napi::Env env, Napi::Object exports);

}  // namespace nnr
