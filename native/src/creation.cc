// Making tensors from JS data and reading them back; tensor metadata.
#include <cstring>

#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

at::TensorOptions OptionsFrom(const Args& args, size_t dtype_at, size_t device_at) {
  at::TensorOptions options = at::TensorOptions().dtype(at::kFloat);
  if (!args.isNullish(dtype_at)) options = options.dtype(args.dtype(dtype_at, "dtype"));
  if (!args.isNullish(device_at)) options = options.device(args.device(device_at, "device"));
  return options;
}

// fromTypedArray(data: TypedArray, shape: number[], dtype: string) -> Tensor (a copy).
Napi::Value FromTypedArray(const Args& args) {
  if (!args.at(0).IsTypedArray()) args.failArg(0, "data", "a typed array");
  auto array = args.at(0).As<Napi::TypedArray>();
  std::vector<int64_t> shape = args.ints(1, "shape");
  at::ScalarType type = args.dtype(2, "dtype");
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(type));
  size_t bytes = static_cast<size_t>(out.numel()) * out.element_size();
  if (array.ByteLength() != bytes) {
    args.fail("data holds " + std::to_string(array.ByteLength()) +
              " bytes but shape and dtype need " + std::to_string(bytes));
  }
  auto* source = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  if (bytes > 0) std::memcpy(out.data_ptr(), source, bytes);
  return Wrap(args, out);
}

// toArrayBuffer(t) -> ArrayBuffer with the elements in row-major order (copied to the CPU).
Napi::Value ToArrayBuffer(const Args& args) {
  at::Tensor source = args.tensor(0, "tensor").detach().to(at::kCPU).contiguous();
  size_t bytes = static_cast<size_t>(source.numel()) * source.element_size();
  auto buffer = Napi::ArrayBuffer::New(args.env(), bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), source.data_ptr(), bytes);
  return buffer;
}

Napi::Value Item(const Args& args) {
  const at::Tensor& t = args.tensor(0, "tensor");
  if (t.numel() != 1)
    args.fail("item() needs a tensor with one element, got " + std::to_string(t.numel()));
  at::Scalar value = t.item();
  if (value.isBoolean()) return Napi::Boolean::New(args.env(), value.toBool());
  return Napi::Number::New(args.env(), value.toDouble());
}

Napi::Value Shape(const Args& args) {
  const at::Tensor& t = args.tensor(0, "tensor");
  auto out = Napi::Array::New(args.env(), t.dim());
  for (int64_t i = 0; i < t.dim(); ++i)
    out.Set(static_cast<uint32_t>(i),
            Napi::Number::New(args.env(), static_cast<double>(t.size(i))));
  return out;
}

Napi::Value Dtype(const Args& args) {
  return Napi::String::New(args.env(), DtypeName(args.tensor(0, "tensor").scalar_type()));
}

Napi::Value DeviceOf(const Args& args) {
  return Napi::String::New(args.env(), args.tensor(0, "tensor").device().str());
}

Napi::Value Strides(const Args& args) {
  const at::Tensor& t = args.tensor(0, "tensor");
  auto out = Napi::Array::New(args.env(), t.dim());
  for (int64_t i = 0; i < t.dim(); ++i)
    out.Set(static_cast<uint32_t>(i),
            Napi::Number::New(args.env(), static_cast<double>(t.stride(i))));
  return out;
}

Napi::Value Zeros(const Args& args) {
  return Wrap(args, at::zeros(args.ints(0, "shape"), OptionsFrom(args, 1, 2)));
}

Napi::Value Ones(const Args& args) {
  return Wrap(args, at::ones(args.ints(0, "shape"), OptionsFrom(args, 1, 2)));
}

Napi::Value Full(const Args& args) {
  return Wrap(args,
              at::full(args.ints(0, "shape"), args.scalar(1, "value"), OptionsFrom(args, 2, 3)));
}

Napi::Value Empty(const Args& args) {
  return Wrap(args, at::empty(args.ints(0, "shape"), OptionsFrom(args, 1, 2)));
}

// arange(start, end, step, dtype, device)
Napi::Value Arange(const Args& args) {
  at::TensorOptions options = at::TensorOptions().dtype(at::kLong);
  if (!args.isNullish(3)) options = options.dtype(args.dtype(3, "dtype"));
  if (!args.isNullish(4)) options = options.device(args.device(4, "device"));
  return Wrap(args, at::arange(args.scalar(0, "start"), args.scalar(1, "end"),
                               args.scalar(2, "step"), options));
}

// dispose(t) -> whether it freed a live tensor (false for a handle already disposed).
Napi::Value Dispose(const Args& args) {
  if (args.length() < 1 || !IsHandleShaped(args.at(0)))
    args.failArg(0, "tensor", "a tensor handle");
  return Napi::Boolean::New(args.env(), DisposeTensor(args.env(), args.at(0)));
}

Napi::Value IsDisposed(const Args& args) {
  if (args.length() < 1 || !IsHandleShaped(args.at(0)))
    args.failArg(0, "tensor", "a tensor handle");
  return Napi::Boolean::New(args.env(), LookupTensor(args.env(), args.at(0)) == nullptr);
}

Napi::Value LiveTensors(const Args& args) {
  return Napi::Number::New(args.env(), static_cast<double>(LiveTensorCount(args.env())));
}

const Export kExports[] = {
    {"fromTypedArray", FromTypedArray},
    {"toArrayBuffer", ToArrayBuffer},
    {"item", Item},
    {"shape", Shape},
    {"dtype", Dtype},
    {"device", DeviceOf},
    {"strides", Strides},
    {"zeros", Zeros},
    {"ones", Ones},
    {"full", Full},
    {"empty", Empty},
    {"arange", Arange},
    {"dispose", Dispose},
    {"isDisposed", IsDisposed},
    {"liveTensors", LiveTensors},
};

}  // namespace

void RegisterCreation(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
