// Argument access for exported functions: every check names the function and the argument,
// so a wrong call from JS becomes a readable Error, never a crash.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <string>
#include <vector>

namespace nnr {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), fn_(fn) {}

  Napi::Env env() const { return info_.Env(); }
  const char* fn() const { return fn_; }
  size_t length() const { return info_.Length(); }
  bool isNullish(size_t i) const;

  at::Tensor& tensor(size_t i, const char* name) const;
  // null or undefined -> an undefined tensor, which ATen treats as "none".
  at::Tensor optionalTensor(size_t i, const char* name) const;
  std::vector<at::Tensor> tensors(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  int64_t integer(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::string string(size_t i, const char* name) const;
  std::vector<int64_t> ints(size_t i, const char* name) const;
  // A JS number becomes an integral Scalar when it is an integer, as Python's int does.
  at::Scalar scalar(size_t i, const char* name) const;
  at::ScalarType dtype(size_t i, const char* name) const;
  at::Device device(size_t i, const char* name) const;
  at::Generator& generator(size_t i, const char* name) const;
  Napi::Value at(size_t i) const { return info_[i]; }

  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void failArg(size_t i, const char* name, const char* expected) const;

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

at::ScalarType ParseDtype(const std::string& name, bool* ok);
const char* DtypeName(at::ScalarType type);

}  // namespace nnr
