// Seeded generators and every random draw. Draws always happen on the CPU with an explicit
// generator and are then moved to the target device, so the same seed gives the same bits on
// every device and nothing depends on libtorch's hidden default generators.
#include <ATen/CPUGeneratorImpl.h>

#include <cstring>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

at::ScalarType DtypeOr(const Args& args, size_t i, at::ScalarType fallback) {
  return args.isNullish(i) ? fallback : args.dtype(i, "dtype");
}

at::Tensor OnDevice(const Args& args, size_t i, at::Tensor t) {
  if (args.isNullish(i)) return t;
  return t.to(args.device(i, "device"));
}

Napi::Value NewGenerator(const Args& args) {
  double seed = args.number(0, "seed");
  if (seed < 0 || seed > 9007199254740991.0) args.failArg(0, "seed", "an integer in [0, 2^53)");
  return WrapGenerator(args.env(),
                       at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed)));
}

Napi::Value GeneratorSeed(const Args& args) {
  return Napi::Number::New(args.env(),
                           static_cast<double>(args.generator(0, "generator").current_seed()));
}

// The full state as bytes, to save with a checkpoint and restore on resume.
Napi::Value GeneratorState(const Args& args) {
  at::Generator& generator = args.generator(0, "generator");
  at::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  auto buffer = Napi::ArrayBuffer::New(args.env(), state.numel());
  std::memcpy(buffer.Data(), state.data_ptr(), state.numel());
  return buffer;
}

Napi::Value SetGeneratorState(const Args& args) {
  at::Generator& generator = args.generator(0, "generator");
  if (!args.at(1).IsTypedArray()) args.failArg(1, "state", "a Uint8Array");
  auto bytes = args.at(1).As<Napi::TypedArray>();
  at::Tensor state = at::empty({static_cast<int64_t>(bytes.ByteLength())}, at::kByte);
  std::memcpy(state.data_ptr(),
              static_cast<uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset(),
              bytes.ByteLength());
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
  return args.env().Undefined();
}

// rand/randn(shape, generator, dtype, device)
Napi::Value Rand(const Args& args) {
  at::Tensor t = at::rand(args.ints(0, "shape"), args.generator(1, "generator"),
                          at::TensorOptions().dtype(DtypeOr(args, 2, at::kFloat)));
  return Wrap(args, OnDevice(args, 3, t));
}

Napi::Value Randn(const Args& args) {
  at::Tensor t = at::randn(args.ints(0, "shape"), args.generator(1, "generator"),
                           at::TensorOptions().dtype(DtypeOr(args, 2, at::kFloat)));
  return Wrap(args, OnDevice(args, 3, t));
}

// randint(low, high, shape, generator, dtype, device): integers in [low, high).
Napi::Value Randint(const Args& args) {
  at::Tensor t = at::randint(args.integer(0, "low"), args.integer(1, "high"), args.ints(2, "shape"),
                             args.generator(3, "generator"),
                             at::TensorOptions().dtype(DtypeOr(args, 4, at::kLong)));
  return Wrap(args, OnDevice(args, 5, t));
}

// randperm(n, generator, dtype, device)
Napi::Value Randperm(const Args& args) {
  at::Tensor t = at::randperm(args.integer(0, "n"), args.generator(1, "generator"),
                              at::TensorOptions().dtype(DtypeOr(args, 2, at::kLong)));
  return Wrap(args, OnDevice(args, 3, t));
}

// uniform_/normal_(tensor, a, b, generator): fill in place (initialisers).
Napi::Value UniformInPlace(const Args& args) {
  at::Tensor& self = args.tensor(0, "self");
  at::Tensor draw = at::empty(self.sizes(), self.options().device(at::kCPU));
  draw.uniform_(args.number(1, "low"), args.number(2, "high"), args.generator(3, "generator"));
  self.copy_(draw);
  return args.env().Undefined();
}

Napi::Value NormalInPlace(const Args& args) {
  at::Tensor& self = args.tensor(0, "self");
  at::Tensor draw = at::empty(self.sizes(), self.options().device(at::kCPU));
  draw.normal_(args.number(1, "mean"), args.number(2, "std"), args.generator(3, "generator"));
  self.copy_(draw);
  return args.env().Undefined();
}

// dropout(input, p, generator, training): inverted dropout with a mask drawn from generator.
Napi::Value Dropout(const Args& args) {
  const at::Tensor& input = args.tensor(0, "input");
  double p = args.number(1, "p");
  if (p < 0 || p > 1) args.failArg(1, "p", "a probability in [0, 1]");
  if (!args.boolean(3, "training") || p == 0) return Wrap(args, input.view_as(input));
  if (p == 1) return Wrap(args, input * 0);
  at::Tensor mask = at::empty(input.sizes(), input.options().device(at::kCPU).requires_grad(false));
  mask.bernoulli_(1 - p, args.generator(2, "generator"));
  mask = mask.to(input.device()).div_(1 - p);
  return Wrap(args, input * mask);
}

const Export kExports[] = {
    {"newGenerator", NewGenerator},
    {"generatorSeed", GeneratorSeed},
    {"generatorState", GeneratorState},
    {"setGeneratorState", SetGeneratorState},
    {"rand", Rand},
    {"randn", Randn},
    {"randint", Randint},
    {"randperm", Randperm},
    {"uniform_", UniformInPlace},
    {"normal_", NormalInPlace},
    {"dropout", Dropout},
};

}  // namespace

void RegisterRandom(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
