// Data parallelism over c10d: a TCPStore rendezvous and a Gloo process group on top of it, the
// engine PyTorch's DistributedDataParallel uses on CPU. Every wait is bounded by the group's
// timeout, and every failure (port in use, unreachable master, a peer gone, a timeout) leaves
// as one line naming what failed, without c10d's source locations.
#include "distributed.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>
#include <c10/util/Logging.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "handles.h"
#include "registry.h"
#include "server-probe.h"

namespace nnr {
namespace {

using Millis = std::chrono::milliseconds;

struct ProcessGroupBox {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  int rank = 0;
  int size = 1;
  Millis timeout{0};
  std::string endpoint;
};

const napi_type_tag kProcessGroupTag = {0x6e6e72646973740aULL, 0x676c6f6f70673031ULL};

// c10d and Gloo messages carry "[file.cc:123]" locations and several lines; keep the first
// line of what they say.
std::string OneLine(const std::exception& error) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&error);
  std::string text = c10 != nullptr ? c10->what_without_backtrace() : error.what();
  text = std::regex_replace(text, std::regex(R"(\[[^\]\s]*\.(cc|cpp|h|hpp):\d+\]\s*)"), "");
  auto newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  while (!text.empty() && (text.back() == ' ' || text.back() == '.')) text.pop_back();
  return text;
}

// c10d logs every failed bind or connect attempt to stderr before it throws; the error it then
// throws says the same, and reaches the user as one line. Quiet while the rendezvous runs.
class QuietLogs {
 public:
#ifdef C10_USE_GLOG
  QuietLogs() : saved_(FLAGS_minloglevel) { FLAGS_minloglevel = google::GLOG_FATAL; }
  ~QuietLogs() { FLAGS_minloglevel = saved_; }
#else
  QuietLogs() : saved_(FLAGS_caffe2_log_level) { FLAGS_caffe2_log_level = 3; }
  ~QuietLogs() { FLAGS_caffe2_log_level = saved_; }
#endif

 private:
  int saved_;
};

[[noreturn]] void Fail(const std::string& what, const std::exception& error) {
  throw std::runtime_error(what + ": " + OneLine(error));
}

ProcessGroupBox& BoxOf(const Args& args, size_t i) {
  Napi::Value value = args.at(i);
  bool tagged = false;
  if (value.Type() == napi_external &&
      napi_check_object_type_tag(args.env(), value, &kProcessGroupTag, &tagged) == napi_ok &&
      tagged) {
    auto* box = value.As<Napi::External<ProcessGroupBox>>().Data();
    if (box->group) return *box;
    args.fail("the process group was destroyed");
  }
  args.failArg(i, "group", "a process group");
}

std::string Seconds(Millis timeout) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", timeout.count() / 1000.0);
  return text;
}

// Whether c10d's message is about a wait that ran out ("timed out", "Timeout"), rather than a
// failure that happened at once.
bool TimedOut(const std::string& text) {
  return std::regex_search(text, std::regex("time[ds]? ?out", std::regex::icase));
}

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

// A problem CheckWorld found and named itself.
struct WorldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Before Gloo's own rendezvous, every rank says which world size it was started with, so a
// mismatch is named instead of ending in a silent wait for a rank that never comes.
void CheckWorld(c10d::Store& store, int rank, int size, Millis timeout,
                const std::string& endpoint) {
  if (store.add("nnr/rank/" + std::to_string(rank), 1) > 1) {
    throw WorldError("two processes started with RANK=" + std::to_string(rank) + " at " + endpoint);
  }
  store.set("nnr/world/" + std::to_string(rank), Bytes(std::to_string(size)));
  std::vector<std::string> keys;
  for (int r = 0; r < size; ++r) keys.push_back("nnr/world/" + std::to_string(r));
  try {
    store.wait(keys, timeout);
  } catch (const std::exception& error) {
    int arrived = 0;
    for (const auto& key : keys) arrived += store.check({key}) ? 1 : 0;
    throw WorldError("rendezvous at " + endpoint + ": " + std::to_string(arrived) + " of " +
                     std::to_string(size) + " ranks arrived within " + Seconds(timeout) +
                     " (is WORLD_SIZE the same on every rank, and every rank started?)");
  }
  for (int r = 0; r < size; ++r) {
    auto value = store.get(keys[r]);
    std::string theirs(value.begin(), value.end());
    if (theirs != std::to_string(size)) {
      throw WorldError("rank " + std::to_string(r) + " was started with WORLD_SIZE=" + theirs +
                       ", rank " + std::to_string(rank) +
                       " with WORLD_SIZE=" + std::to_string(size));
    }
  }
}

std::string UnreachableMaster(const ProcessGroupBox& box) {
  return "cannot reach the master at " + box.endpoint + " within " + Seconds(box.timeout) +
         " (is rank 0 running, and MASTER_ADDR/MASTER_PORT right?)";
}

// processGroupInit(masterAddr, masterPort, rank, worldSize, timeoutMs, device) -> group.
// device: "hostname:NAME" or "interface:NAME" (Gloo's GLOO_SOCKET_IFNAME), or "" for Gloo's
// default (the address this machine's hostname resolves to).
Napi::Value ProcessGroupInit(const Args& args) {
  auto box = std::make_unique<ProcessGroupBox>();
  std::string addr = args.string(0, "masterAddr");
  int64_t port = args.integer(1, "masterPort");
  box->rank = static_cast<int>(args.integer(2, "rank"));
  box->size = static_cast<int>(args.integer(3, "worldSize"));
  box->timeout = Millis(args.integer(4, "timeoutMs"));
  std::string device = args.string(5, "device");
  if (port < 1 || port > 65535)
    args.fail("masterPort must be 1..65535, got " + std::to_string(port));
  if (box->size < 1 || box->rank < 0 || box->rank >= box->size) {
    args.fail("rank " + std::to_string(box->rank) + " is not in 0.." +
              std::to_string(box->size - 1));
  }
  if (box->timeout.count() <= 0) args.fail("timeoutMs must be positive");
  box->endpoint = addr + ":" + std::to_string(port);

  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(port);
  options.isServer = box->rank == 0;
  options.numWorkers = box->size;
  options.waitWorkers = false;  // CheckWorld waits, and says who is missing
  options.timeout = box->timeout;
  QuietLogs quiet;
  if (box->rank != 0 && !AwaitListening(addr, static_cast<int>(port), box->timeout)) {
    throw std::runtime_error(UnreachableMaster(*box));
  }
  try {
    box->store = MakeTCPStore<c10d::TCPStore>(addr, options);
  } catch (const std::exception& error) {
    std::string text = OneLine(error);
    if (box->rank == 0 && text.find("errno: 98") != std::string::npos) {
      throw std::runtime_error("cannot serve the rendezvous at " + box->endpoint + ": port " +
                               std::to_string(port) +
                               " is in use; choose another MASTER_PORT (--master-port)");
    }
    if (box->rank == 0) Fail("cannot serve the rendezvous at " + box->endpoint, error);
    if (!TimedOut(text)) Fail("cannot reach the master at " + box->endpoint, error);
    throw std::runtime_error(UnreachableMaster(*box));
  }
  try {
    CheckWorld(*box->store, box->rank, box->size, box->timeout, box->endpoint);
  } catch (const WorldError&) {
    throw;
  } catch (const std::exception& error) {
    throw std::runtime_error("rendezvous at " + box->endpoint + " failed: rank 0 went away (" +
                             OneLine(error) + ")");
  }

  auto gloo = c10d::ProcessGroupGloo::Options::create(box->timeout);
  try {
    if (device.rfind("interface:", 0) == 0) {
      gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(device.substr(10)));
    } else if (device.rfind("hostname:", 0) == 0) {
      gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(device.substr(9)));
    } else {
      gloo->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
  } catch (const std::exception& error) {
    Fail("cannot open a Gloo device (" + (device.empty() ? std::string("default") : device) + ")",
         error);
  }
  gloo->threads = 2;
  try {
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("gloo", box->store);
    box->group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, box->rank, box->size, gloo);
  } catch (const std::exception& error) {
    Fail("Gloo rendezvous at " + box->endpoint + " failed", error);
  }
  auto* raw = box.release();
  auto external = Napi::External<ProcessGroupBox>::New(
      args.env(), raw, [](Napi::Env, ProcessGroupBox* dead) { delete dead; });
  napi_type_tag_object(args.env(), external, &kProcessGroupTag);
  return external;
}

CollectiveGroup ViewOf(const ProcessGroupBox& box) {
  return {box.group, box.rank, box.size, box.timeout};
}

void Wait(const c10::intrusive_ptr<c10d::Work>& work, const ProcessGroupBox& box,
          const char* what) {
  AwaitCollective(work, ViewOf(box), what);
}

// Sums the tensors across ranks, bucket by bucket (sizes[i] consecutive tensors of one dtype),
// each bucket flattened into one buffer scaled by `scale` first. All buckets are in flight at
// once; they are awaited in order and copied back into the tensors.
void AllreduceBuckets(const Args& args, ProcessGroupBox& box, std::vector<at::Tensor>& tensors,
                      const std::vector<int64_t>& sizes, double scale) {
  at::NoGradGuard noGrad;  // the copies back are not part of any graph
  int64_t total = 0;
  for (int64_t n : sizes) {
    if (n <= 0) args.fail("bucket sizes must be positive");
    total += n;
  }
  if (total != static_cast<int64_t>(tensors.size())) {
    args.fail("bucket sizes add up to " + std::to_string(total) + ", but " +
              std::to_string(tensors.size()) + " tensors were given");
  }
  std::vector<std::vector<at::Tensor>> buffers(sizes.size());
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  size_t first = 0;
  for (size_t b = 0; b < sizes.size(); ++b) {
    std::vector<at::Tensor> flat;
    for (int64_t k = 0; k < sizes[b]; ++k) flat.push_back(tensors[first + k].reshape({-1}));
    at::Tensor buffer = at::cat(flat);
    if (scale != 1.0) buffer.mul_(scale);
    buffers[b].push_back(buffer);
    try {
      works.push_back(box.group->allreduce(buffers[b]));
    } catch (const std::exception& error) {
      Fail("allreduce on rank " + std::to_string(box.rank) + " failed", error);
    }
    first += sizes[b];
  }
  first = 0;
  for (size_t b = 0; b < sizes.size(); ++b) {
    Wait(works[b], box, "allreduce");
    int64_t offset = 0;
    for (int64_t k = 0; k < sizes[b]; ++k) {
      at::Tensor& target = tensors[first + k];
      int64_t n = target.numel();
      target.copy_(buffers[b][0].narrow(0, offset, n).view(target.sizes()));
      offset += n;
    }
    first += sizes[b];
  }
}

// allreduceMean(group, tensors, bucketSizes): averages gradients as DistributedDataParallel's
// reducer does in libtorch 1.13: each gradient is scaled by 1/worldSize as it is copied into
// its bucket, and the bucket is summed across ranks.
Napi::Value AllreduceMean(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  std::vector<at::Tensor> tensors = args.tensors(1, "tensors");
  AllreduceBuckets(args, box, tensors, args.ints(2, "bucketSizes"), 1.0 / box.size);
  return args.env().Undefined();
}

// allreduceSum(group, tensors): each tensor summed across ranks (statistics, not gradients).
Napi::Value AllreduceSum(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  std::vector<at::Tensor> tensors = args.tensors(1, "tensors");
  AllreduceBuckets(args, box, tensors, std::vector<int64_t>(tensors.size(), 1), 1.0);
  return args.env().Undefined();
}

// broadcast(group, tensors, root): overwrites the tensors with the root's, one flat buffer per
// dtype, as DDP's start (and its per-step buffer broadcast) does.
Napi::Value Broadcast(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  std::vector<at::Tensor> tensors = args.tensors(1, "tensors");
  int64_t root = args.integer(2, "root");
  at::NoGradGuard noGrad;  // parameters are overwritten in place, outside autograd
  if (root < 0 || root >= box.size)
    args.fail("root must be a rank in 0.." + std::to_string(box.size - 1));
  std::map<at::ScalarType, std::vector<size_t>> byType;
  for (size_t i = 0; i < tensors.size(); ++i) byType[tensors[i].scalar_type()].push_back(i);
  for (auto& [type, members] : byType) {
    std::vector<at::Tensor> flat;
    for (size_t i : members) flat.push_back(tensors[i].reshape({-1}));
    std::vector<at::Tensor> buffer{at::cat(flat)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    c10::intrusive_ptr<c10d::Work> work;
    try {
      work = box.group->broadcast(buffer, options);
    } catch (const std::exception& error) {
      Fail("broadcast on rank " + std::to_string(box.rank) + " failed", error);
    }
    Wait(work, box, "broadcast");
    int64_t offset = 0;
    for (size_t i : members) {
      int64_t n = tensors[i].numel();
      tensors[i].copy_(buffer[0].narrow(0, offset, n).view(tensors[i].sizes()));
      offset += n;
    }
  }
  return args.env().Undefined();
}

Napi::Value Barrier(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  c10d::BarrierOptions options;
  options.timeout = box.timeout;
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = box.group->barrier(options);
  } catch (const std::exception& error) {
    Fail("barrier on rank " + std::to_string(box.rank) + " failed", error);
  }
  Wait(work, box, "barrier");
  return args.env().Undefined();
}

// storeSet(group, key, text) and storeGet(group, key) -> text: small facts rank 0 decides for
// everyone (seeds, the resume point); a get waits at most the group's timeout.
Napi::Value StoreSet(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  try {
    box.store->set("nnr/data/" + args.string(1, "key"), Bytes(args.string(2, "value")));
  } catch (const std::exception& error) {
    Fail("store set at " + box.endpoint + " failed", error);
  }
  return args.env().Undefined();
}

Napi::Value StoreGet(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  std::string key = "nnr/data/" + args.string(1, "key");
  try {
    box.store->wait({key}, box.timeout);
    auto value = box.store->get(key);
    return Napi::String::New(args.env(), std::string(value.begin(), value.end()));
  } catch (const std::exception& error) {
    Fail("waiting for '" + args.string(1, "key") + "' from rank 0 at " + box.endpoint + " failed",
         error);
  }
}

// destroy(group): drops the group and the store (rank 0's store serves the others: destroy it
// after a barrier, or they lose their rendezvous).
Napi::Value Destroy(const Args& args) {
  ProcessGroupBox& box = BoxOf(args, 0);
  box.group.reset();
  box.store.reset();
  return args.env().Undefined();
}

// A collective of a few hundred kilobytes between local ranks takes well under a millisecond
// of transfer, but a blocking wait adds the wake-ups of an idle core (on a virtual machine,
// each a halt and a resume). The calling thread first polls the work for up to kSpinBound,
// yielding its core to any other thread at each turn, and only then blocks.
constexpr std::chrono::microseconds kSpinBound{5000};

void SpinWhileRunning(c10d::Work& work) {
  auto until = std::chrono::steady_clock::now() + kSpinBound;
  while (!work.isCompleted() && std::chrono::steady_clock::now() < until) {
    std::this_thread::yield();
  }
}

const Export kExports[] = {
    {"processGroupInit", ProcessGroupInit},     {"processGroupAllreduceMean", AllreduceMean},
    {"processGroupAllreduceSum", AllreduceSum}, {"processGroupBroadcast", Broadcast},
    {"processGroupBarrier", Barrier},           {"processGroupStoreSet", StoreSet},
    {"processGroupStoreGet", StoreGet},         {"processGroupDestroy", Destroy},
};

}  // namespace

CollectiveGroup GroupArg(const Args& args, size_t i) { return ViewOf(BoxOf(args, i)); }

void AwaitCollective(const c10::intrusive_ptr<c10d::Work>& work, const CollectiveGroup& group,
                     const std::string& what) {
  try {
    SpinWhileRunning(*work);
    work->wait(group.timeout);
  } catch (const std::exception& error) {
    Fail(what + " on rank " + std::to_string(group.rank) + " of " + std::to_string(group.size) +
             " failed (a peer exited, or did not answer within " + Seconds(group.timeout) + ")",
         error);
  }
}

void FailCollective(const std::string& what, const std::exception& error) { Fail(what, error); }

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
