#include "registry.h"

#include "handles.h"

#include <c10/util/Exception.h>

#include <string>

namespace nnr {
namespace {

// libtorch messages end with blank lines or internal hints; keep the text the user needs.
std::string CleanMessage(const char* raw) {
  std::string message(raw);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  const auto* entry = static_cast<const Export*>(info.Data());
  Args args(info, entry->name);
  try {
    return entry->fn(args);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& error) {
    throw Napi::Error::New(
        info.Env(), std::string(entry->name) + ": " + CleanMessage(error.what_without_backtrace()));
  } catch (const std::exception& error) {
    throw Napi::Error::New(info.Env(),
                           std::string(entry->name) + ": " + CleanMessage(error.what()));
  } catch (...) {
    throw Napi::Error::New(info.Env(), std::string(entry->name) + ": unknown native error");
  }
}

}  // namespace

void RegisterExports(Napi::Env env, Napi::Object exports, const Export* table, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    exports.Set(table[i].name, Napi::Function::New(env, Trampoline, table[i].name,
                                                   const_cast<Export*>(&table[i])));
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitHandleTable(env);
  RegisterCreation(env, exports);
  RegisterPointwise(env, exports);
  RegisterReduction(env, exports);
  RegisterShape(env, exports);
  RegisterNeural(env, exports);
  RegisterAutograd(env, exports);
  RegisterRandom(env, exports);
  RegisterEngine(env, exports);
  RegisterAllocator(env, exports);
  RegisterAutocast(env, exports);
#ifdef NNR_WITH_CUDA
  RegisterCuda(env, exports);
#endif
  RegisterDistributed(env, exports);
  RegisterSyncBatchNorm(env, exports);
  RegisterOptim(env, exports);
  RegisterReluMaxPool(env, exports);
  RegisterGraphOps(env, exports);
  return exports;
}

}  // namespace nnr

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return nnr::Init(env, exports);
}

NODE_API_MODULE(nnr_native, InitAddon)
