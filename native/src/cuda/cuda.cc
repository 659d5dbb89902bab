// CUDA-only exports, compiled only when the libtorch found has CUDA (scripts/build-addon.mjs
// adds native/src/cuda/ and -DNNR_WITH_CUDA then): GPU time from CUDA events, as nvprof's GPU
// time was, and host-to-device copies from pinned memory that do not block the host.
//
// Everything goes through c10's device-generic Event and the guard registered by
// libc10_cuda, so no CUDA toolkit header or libcudart link is needed: the build works with
// a pip-installed torch alone.
#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/version.h>

#include "../handles.h"
#include "../registry.h"

// c10::Event::elapsedTime arrived with the device-generic torch.Event (libtorch 2.4).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define NNR_EVENT_ELAPSED_TIME 1
#endif

namespace nnr {
namespace {

struct EventBox {
  c10::Event event;
};

EventBox* EventOf(const Args& args, size_t i) {
  Napi::Value value = args.at(i);
  if (!value.IsExternal()) args.failArg(i, "event", "a CUDA event from cudaEventNew");
  return value.As<Napi::External<EventBox>>().Data();
}

c10::Device CudaDevice(const Args& args, size_t i, const c10::impl::VirtualGuardImpl& guard) {
  c10::Device device = args.device(i, "device");
  if (device.type() != c10::DeviceType::CUDA) args.failArg(i, "device", "a CUDA device");
  return device.has_index() ? device : guard.getDevice();
}

// BACKEND_DEFAULT is CUDA's default event, the one that records time (PYTORCH_DEFAULT
// disables timing to make events cheaper).
Napi::Value CudaEventNew(const Args& args) {
  auto* box = new EventBox{c10::Event(c10::DeviceType::CUDA, c10::EventFlag::BACKEND_DEFAULT)};
  return Napi::External<EventBox>::New(args.env(), box, [](Napi::Env, EventBox* b) { delete b; });
}

// Records the event on the device's current stream: the one every op of this process uses.
Napi::Value CudaEventRecord(const Args& args) {
  EventBox* box = EventOf(args, 0);
  c10::impl::VirtualGuardImpl guard(c10::DeviceType::CUDA);
  box->event.record(guard.getStream(CudaDevice(args, 1, guard)));
  return args.env().Undefined();
}

// Milliseconds of GPU time from `start` to `end`; waits for `end` to complete.
Napi::Value CudaEventElapsedMs(const Args& args) {
  EventBox* start = EventOf(args, 0);
  EventBox* end = EventOf(args, 1);
#ifdef NNR_EVENT_ELAPSED_TIME
  end->event.synchronize();
  return Napi::Number::New(args.env(), start->event.elapsedTime(end->event));
#else
  (void)start;
  (void)end;
  args.fail("CUDA event timing needs libtorch 2.4 or later (this is " TORCH_VERSION ")");
#endif
}

// A copy of the tensor in page-locked host memory (from libtorch's caching host allocator,
// which keeps a block until the copies reading it have finished).
Napi::Value PinMemory(const Args& args) {
  return WrapTensor(args.env(), args.tensor(0, "input").pin_memory());
}

Napi::Value IsPinned(const Args& args) {
  return Napi::Boolean::New(args.env(), args.tensor(0, "input").is_pinned());
}

// to(device) without waiting for the copy: ordered on the device's current stream, so later
// ops see the data; from pageable memory CUDA copies synchronously anyway.
Napi::Value ToNonBlocking(const Args& args) {
  at::Tensor& input = args.tensor(0, "input");
  at::Device device = args.device(1, "device");
  return WrapTensor(args.env(), input.to(input.options().device(device), /*non_blocking=*/true,
                                         /*copy=*/false));
}

const Export kExports[] = {
    {"cudaEventNew", CudaEventNew},
    {"cudaEventRecord", CudaEventRecord},
    {"cudaEventElapsedMs", CudaEventElapsedMs},
    {"pinMemory", PinMemory},
    {"isPinned", IsPinned},
    {"toNonBlocking", ToNonBlocking},
};

}  // namespace

void RegisterCuda(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
