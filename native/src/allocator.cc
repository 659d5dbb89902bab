// The C allocator's thresholds. libtorch allocates each CPU tensor with posix_memalign, so a
// training step frees and reallocates the same large blocks over and over. With glibc's
// defaults, blocks above the mmap threshold (and heap tops above the trim threshold) go back
// to the kernel when freed and fault in again, page by page, at the next step. Raising both
// keeps that memory in the process: the same bits, less time in the kernel.
#include <cstddef>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "registry.h"

namespace nnr {
namespace {

// Returns whether the thresholds were set (false where the C library is not glibc).
Napi::Value TuneAllocator(const Args& args) {
  int64_t mmap_threshold = args.integer(0, "mmapThreshold");
  int64_t trim_threshold = args.integer(1, "trimThreshold");
  if (mmap_threshold < 0) args.failArg(0, "mmapThreshold", "a byte count >= 0");
  if (trim_threshold < 0) args.failArg(1, "trimThreshold", "a byte count >= 0");
#if defined(__GLIBC__)
  bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 1 &&
            mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold)) == 1;
  return Napi::Boolean::New(args.env(), ok);
#else
  return Napi::Boolean::New(args.env(), false);
#endif
}

const Export kExports[] = {
    {"tuneAllocator", TuneAllocator},
};

}  // namespace

void RegisterAllocator(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
