#include "handles.h"

#include <cmath>
#include <vector>

namespace nnr {
namespace {

constexpr double kIndexSpan = 67108864.0;       // 2^26 slots
constexpr uint32_t kGenerationSpan = 1u << 26;  // handles stay below 2^52

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 0;
};

struct HandleTable {
  std::vector<Slot> slots;
  std::vector<uint32_t> free;
  int64_t live = 0;
};

HandleTable& Table(Napi::Env env) { return *env.GetInstanceData<HandleTable>(); }

// The slot a handle names if it is live in this table.
Slot* LiveSlot(HandleTable& table, const Napi::Value& value) {
  if (!value.IsNumber()) return nullptr;
  double handle = value.As<Napi::Number>().DoubleValue();
  if (!(handle >= 0) || std::trunc(handle) != handle || handle >= kIndexSpan * kGenerationSpan)
    return nullptr;
  auto index = static_cast<uint64_t>(std::fmod(handle, kIndexSpan));
  auto generation = static_cast<uint32_t>(std::floor(handle / kIndexSpan));
  if (index >= table.slots.size()) return nullptr;
  Slot& slot = table.slots[index];
  if (slot.generation != generation || !slot.tensor.defined()) return nullptr;
  return &slot;
}

// Type tag: rejects any JS value that is not one of our generators before touching memory.
const napi_type_tag kGeneratorTag = {0x6e6e7247656e6572ULL, 0x2a4c6e8f1b3d5e70ULL};

}  // namespace

void InitHandleTable(Napi::Env env) { env.SetInstanceData<HandleTable>(new HandleTable()); }

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  HandleTable& table = Table(env);
  uint32_t index;
  if (!table.free.empty()) {
    index = table.free.back();
    table.free.pop_back();
  } else {
    index = static_cast<uint32_t>(table.slots.size());
    if (index >= static_cast<uint32_t>(kIndexSpan))
      throw Napi::Error::New(env, "too many live tensors (2^26): dispose tensors or use scopes");
    table.slots.emplace_back();
  }
  Slot& slot = table.slots[index];
  slot.tensor = std::move(tensor);
  table.live++;
  return Napi::Number::New(env, static_cast<double>(slot.generation) * kIndexSpan + index);
}

at::Tensor* LookupTensor(Napi::Env env, const Napi::Value& value) {
  Slot* slot = LiveSlot(Table(env), value);
  return slot == nullptr ? nullptr : &slot->tensor;
}

bool IsHandleShaped(const Napi::Value& value) {
  if (!value.IsNumber()) return false;
  double handle = value.As<Napi::Number>().DoubleValue();
  return handle >= 0 && std::trunc(handle) == handle;
}

bool DisposeTensor(Napi::Env env, const Napi::Value& value) {
  HandleTable& table = Table(env);
  Slot* slot = LiveSlot(table, value);
  if (slot == nullptr) return false;
  slot->tensor.reset();
  slot->generation = (slot->generation + 1) % kGenerationSpan;
  table.free.push_back(static_cast<uint32_t>(slot - table.slots.data()));
  table.live--;
  return true;
}

int64_t LiveTensorCount(Napi::Env env) { return Table(env).live; }

Napi::Value WrapGenerator(Napi::Env env, at::Generator generator) {
  auto* box = new GeneratorBox{std::move(generator)};
  auto external = Napi::External<GeneratorBox>::New(
      env, box, [](Napi::Env, GeneratorBox* dead) { delete dead; });
  napi_type_tag_object(env, external, &kGeneratorTag);
  return external;
}

GeneratorBox* GeneratorBoxOf(Napi::Env env, const Napi::Value& value) {
  if (value.Type() != napi_external) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kGeneratorTag, &tagged) != napi_ok || !tagged)
    return nullptr;
  return value.As<Napi::External<GeneratorBox>>().Data();
}

}  // namespace nnr
