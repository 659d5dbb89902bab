// Reductions over all elements or over given dims. A null dims argument means "all dims".
#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

bool KeepDim(const Args& args, size_t i) {
  return args.isNullish(i) ? false : args.boolean(i, "keepdim");
}

// sum(input, dims | null, keepdim)
Napi::Value Sum(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::sum(t));
  return Wrap(args, at::sum(t, at::IntArrayRef(args.ints(1, "dims")), KeepDim(args, 2)));
}

Napi::Value Mean(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::mean(t));
  return Wrap(args, at::mean(t, at::IntArrayRef(args.ints(1, "dims")), KeepDim(args, 2)));
}

// var/std(input, dims | null, unbiased, keepdim)
Napi::Value Var(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  bool unbiased = args.boolean(2, "unbiased");
  if (args.isNullish(1)) return Wrap(args, at::var(t, unbiased));
  return Wrap(args, at::var(t, at::IntArrayRef(args.ints(1, "dims")), unbiased, KeepDim(args, 3)));
}

Napi::Value Std(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  bool unbiased = args.boolean(2, "unbiased");
  if (args.isNullish(1)) return Wrap(args, at::std(t, unbiased));
  return Wrap(args, at::std(t, at::IntArrayRef(args.ints(1, "dims")), unbiased, KeepDim(args, 3)));
}

// amax/amin(input, dims | null, keepdim): values only, differentiable.
Napi::Value Amax(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::max(t));
  return Wrap(args, at::amax(t, args.ints(1, "dims"), KeepDim(args, 2)));
}

Napi::Value Amin(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::min(t));
  return Wrap(args, at::amin(t, args.ints(1, "dims"), KeepDim(args, 2)));
}

// maxDim/minDim(input, dim, keepdim) -> [values, indices]
Napi::Value MaxDim(const Args& args) {
  auto result = at::max(args.tensor(0, "input"), args.integer(1, "dim"), KeepDim(args, 2));
  auto out = Napi::Array::New(args.env(), 2);
  out.Set(0u, Wrap(args, std::get<0>(result)));
  out.Set(1u, Wrap(args, std::get<1>(result)));
  return out;
}

Napi::Value MinDim(const Args& args) {
  auto result = at::min(args.tensor(0, "input"), args.integer(1, "dim"), KeepDim(args, 2));
  auto out = Napi::Array::New(args.env(), 2);
  out.Set(0u, Wrap(args, std::get<0>(result)));
  out.Set(1u, Wrap(args, std::get<1>(result)));
  return out;
}

// argmax/argmin(input, dim | null, keepdim)
Napi::Value Argmax(const Args& args) {
  c10::optional<int64_t> dim;
  if (!args.isNullish(1)) dim = args.integer(1, "dim");
  return Wrap(args, at::argmax(args.tensor(0, "input"), dim, KeepDim(args, 2)));
}

Napi::Value Argmin(const Args& args) {
  c10::optional<int64_t> dim;
  if (!args.isNullish(1)) dim = args.integer(1, "dim");
  return Wrap(args, at::argmin(args.tensor(0, "input"), dim, KeepDim(args, 2)));
}

Napi::Value All(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::all(t));
  return Wrap(args, at::all(t, args.integer(1, "dim"), KeepDim(args, 2)));
}

Napi::Value Any(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::any(t));
  return Wrap(args, at::any(t, args.integer(1, "dim"), KeepDim(args, 2)));
}

Napi::Value Logsumexp(const Args& args) {
  return Wrap(args, at::logsumexp(args.tensor(0, "input"), args.ints(1, "dims"), KeepDim(args, 2)));
}

const Export kExports[] = {
    {"sum", Sum},
    {"mean", Mean},
    {"var", Var},
    {"std", Std},
    {"amax", Amax},
    {"amin", Amin},
    {"maxDim", MaxDim},
    {"minDim", MinDim},
    {"argmax", Argmax},
    {"argmin", Argmin},
    {"all", All},
    {"any", Any},
    {"logsumexp", Logsumexp},
};

}  // namespace

void RegisterReduction(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
