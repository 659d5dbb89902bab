#include "args.h"

#include <cmath>

#include "handles.h"

namespace nnr {

void Args::fail(const std::string& message) const {
  throw Napi::TypeError::New(env(), std::string(fn_) + ": " + message);
}

void Args::failArg(size_t i, const char* name, const char* expected) const {
  fail("argument '" + std::string(name) + "' (position " + std::to_string(i) + ") must be " +
       expected);
}

bool Args::isNullish(size_t i) const {
  return i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined();
}

at::Tensor& Args::tensor(size_t i, const char* name) const {
  at::Tensor* tensor = i < info_.Length() ? LookupTensor(env(), info_[i]) : nullptr;
  if (tensor != nullptr) return *tensor;
  if (i < info_.Length() && IsHandleShaped(info_[i]))
    fail("argument '" + std::string(name) + "' is a disposed tensor");
  failArg(i, name, "a tensor handle");
}

at::Tensor Args::optionalTensor(size_t i, const char* name) const {
  if (isNullish(i)) return at::Tensor();
  return tensor(i, name);
}

std::vector<at::Tensor> Args::tensors(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsArray()) failArg(i, name, "an array of tensor handles");
  auto array = info_[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(array.Length());
  for (uint32_t k = 0; k < array.Length(); ++k) {
    at::Tensor* tensor = LookupTensor(env(), array.Get(k));
    if (tensor == nullptr) failArg(i, name, "an array of live tensor handles");
    out.push_back(*tensor);
  }
  return out;
}

double Args::number(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsNumber()) failArg(i, name, "a number");
  return info_[i].As<Napi::Number>().DoubleValue();
}

namespace {

// Integers cross from JS as doubles: only those within ±(2^53 − 1) are exact, and a double
// outside int64's range has no defined conversion at all (1e300 would become INT64_MIN).
constexpr double kMaxSafeInteger = 9007199254740991.0;

bool IsSafeInteger(double value) {
  return std::isfinite(value) && std::trunc(value) == value && std::fabs(value) <= kMaxSafeInteger;
}

}  // namespace

int64_t Args::integer(size_t i, const char* name) const {
  double value = number(i, name);
  if (!IsSafeInteger(value)) failArg(i, name, "an integer within ±(2^53 − 1)");
  return static_cast<int64_t>(value);
}

bool Args::boolean(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsBoolean()) failArg(i, name, "a boolean");
  return info_[i].As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsString()) failArg(i, name, "a string");
  return info_[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::ints(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsArray()) failArg(i, name, "an array of integers");
  auto array = info_[i].As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t k = 0; k < array.Length(); ++k) {
    Napi::Value item = array.Get(k);
    if (!item.IsNumber()) failArg(i, name, "an array of integers");
    double value = item.As<Napi::Number>().DoubleValue();
    if (!IsSafeInteger(value)) failArg(i, name, "an array of integers within ±(2^53 − 1)");
    out[k] = static_cast<int64_t>(value);
  }
  return out;
}

at::Scalar Args::scalar(size_t i, const char* name) const {
  if (i < info_.Length() && info_[i].IsBoolean()) return at::Scalar(boolean(i, name));
  double value = number(i, name);
  if (IsSafeInteger(value)) {
    return at::Scalar(static_cast<int64_t>(value));
  }
  return at::Scalar(value);
}

at::ScalarType Args::dtype(size_t i, const char* name) const {
  bool ok = false;
  at::ScalarType type = ParseDtype(string(i, name), &ok);
  if (!ok)
    failArg(i, name, "one of float32, float64, float16, bfloat16, int64, int32, uint8, bool");
  return type;
}

at::Device Args::device(size_t i, const char* name) const {
  std::string text = string(i, name);
  try {
    return at::Device(text);
  } catch (const std::exception&) {
    failArg(i, name, "a device such as 'cpu', 'cuda' or 'cuda:1'");
  }
}

at::Generator& Args::generator(size_t i, const char* name) const {
  GeneratorBox* box = i < info_.Length() ? GeneratorBoxOf(env(), info_[i]) : nullptr;
  if (box == nullptr) failArg(i, name, "a generator handle");
  return box->generator;
}

at::ScalarType ParseDtype(const std::string& name, bool* ok) {
  *ok = true;
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "float16") return at::kHalf;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "uint8") return at::kByte;
  if (name == "bool") return at::kBool;
  *ok = false;
  return at::kFloat;
}

const char* DtypeName(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
      return "float32";
    case at::kDouble:
      return "float64";
    case at::kHalf:
      return "float16";
    case at::kBFloat16:
      return "bfloat16";
    case at::kLong:
      return "int64";
    case at::kInt:
      return "int32";
    case at::kByte:
      return "uint8";
    case at::kBool:
      return "bool";
    default:
      return "unsupported";
  }
}

}  // namespace nnr
