// Elementwise arithmetic, comparisons and the in-place updates optimizers need.
#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

// Name(a, b) takes two tensors (broadcast); Name##Scalar(a, x) a tensor and a JS number.
// Two functions, since a tensor handle is itself a number.
#define NNR_BINARY(Name, op)                                                     \
  Napi::Value Name(const Args& args) {                                           \
    const at::Tensor& a = args.tensor(0, "input");                               \
    return Wrap(args, at::op(a, args.tensor(1, "other")));                       \
  }                                                                              \
  Napi::Value Name##Scalar(const Args& args) {                                   \
    return Wrap(args, at::op(args.tensor(0, "input"), args.scalar(1, "other"))); \
  }

NNR_BINARY(Add, add)
NNR_BINARY(Sub, sub)
NNR_BINARY(Mul, mul)
NNR_BINARY(Div, div)
NNR_BINARY(Pow, pow)
NNR_BINARY(Remainder, remainder)
NNR_BINARY(Eq, eq)
NNR_BINARY(Ne, ne)
NNR_BINARY(Lt, lt)
NNR_BINARY(Le, le)
NNR_BINARY(Gt, gt)
NNR_BINARY(Ge, ge)
#undef NNR_BINARY

#define NNR_BINARY_TENSORS(Name, op)                                             \
  Napi::Value Name(const Args& args) {                                           \
    return Wrap(args, at::op(args.tensor(0, "input"), args.tensor(1, "other"))); \
  }

NNR_BINARY_TENSORS(Maximum, maximum)
NNR_BINARY_TENSORS(Minimum, minimum)
NNR_BINARY_TENSORS(LogicalAnd, logical_and)
NNR_BINARY_TENSORS(LogicalOr, logical_or)
#undef NNR_BINARY_TENSORS

#define NNR_UNARY(Name, op) \
  Napi::Value Name(const Args& args) { return Wrap(args, at::op(args.tensor(0, "input"))); }

NNR_UNARY(Neg, neg)
NNR_UNARY(Abs, abs)
NNR_UNARY(Exp, exp)
NNR_UNARY(Log, log)
NNR_UNARY(Log1p, log1p)
NNR_UNARY(Sqrt, sqrt)
NNR_UNARY(Rsqrt, rsqrt)
NNR_UNARY(Square, square)
NNR_UNARY(Reciprocal, reciprocal)
NNR_UNARY(Sign, sign)
NNR_UNARY(Floor, floor)
NNR_UNARY(Ceil, ceil)
NNR_UNARY(Round, round)
NNR_UNARY(Tanh, tanh)
NNR_UNARY(LogicalNot, logical_not)
NNR_UNARY(IsNan, isnan)
NNR_UNARY(IsFinite, isfinite)
#undef NNR_UNARY

// clamp(input, min | null, max | null)
Napi::Value Clamp(const Args& args) {
  c10::optional<at::Scalar> low, high;
  if (!args.isNullish(1)) low = args.scalar(1, "min");
  if (!args.isNullish(2)) high = args.scalar(2, "max");
  return Wrap(args, at::clamp(args.tensor(0, "input"), low, high));
}

// where(condition, a, b): all tensors (the JS side turns numbers into 0-d tensors).
Napi::Value Where(const Args& args) {
  return Wrap(args, at::where(args.tensor(0, "condition"), args.tensor(1, "input"),
                              args.tensor(2, "other")));
}

Napi::Value Equal(const Args& args) {
  return Napi::Boolean::New(args.env(),
                            at::equal(args.tensor(0, "input"), args.tensor(1, "other")));
}

// add_/sub_'s optional multiplier of `other`, 1 when left out (as PyTorch's alpha).
at::Scalar Alpha(const Args& args) {
  return args.isNullish(2) ? at::Scalar(1) : args.scalar(2, "alpha");
}

Napi::Value AddInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.add_(args.tensor(1, "other"), Alpha(args)); });
}

Napi::Value AddScalarInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.add_(args.scalar(1, "other"), Alpha(args)); });
}

Napi::Value SubInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.sub_(args.tensor(1, "other"), Alpha(args)); });
}

Napi::Value SubScalarInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.sub_(args.scalar(1, "other"), Alpha(args)); });
}

Napi::Value MulInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.mul_(args.tensor(1, "other")); });
}

Napi::Value MulScalarInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.mul_(args.scalar(1, "other")); });
}

Napi::Value DivInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.div_(args.tensor(1, "other")); });
}

Napi::Value DivScalarInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.div_(args.scalar(1, "other")); });
}

Napi::Value AddcmulInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) {
    self.addcmul_(args.tensor(1, "tensor1"), args.tensor(2, "tensor2"), args.scalar(3, "value"));
  });
}

Napi::Value AddcdivInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) {
    self.addcdiv_(args.tensor(1, "tensor1"), args.tensor(2, "tensor2"), args.scalar(3, "value"));
  });
}

Napi::Value LerpInPlace(const Args& args) {
  return InPlace(
      args, [&](at::Tensor& self) { self.lerp_(args.tensor(1, "end"), args.scalar(2, "weight")); });
}

Napi::Value MaximumInPlace(const Args& args) {
  return InPlace(args,
                 [&](at::Tensor& self) { at::maximum_out(self, self, args.tensor(1, "other")); });
}

Napi::Value SqrtInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.sqrt_(); });
}

Napi::Value ClampInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) {
    c10::optional<at::Scalar> low, high;
    if (!args.isNullish(1)) low = args.scalar(1, "min");
    if (!args.isNullish(2)) high = args.scalar(2, "max");
    self.clamp_(low, high);
  });
}

Napi::Value CopyInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.copy_(args.tensor(1, "source")); });
}

Napi::Value ZeroInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.zero_(); });
}

Napi::Value FillInPlace(const Args& args) {
  return InPlace(args, [&](at::Tensor& self) { self.fill_(args.scalar(1, "value")); });
}

const Export kExports[] = {
    {"add", Add},
    {"sub", Sub},
    {"mul", Mul},
    {"div", Div},
    {"pow", Pow},
    {"remainder", Remainder},
    {"eq", Eq},
    {"ne", Ne},
    {"lt", Lt},
    {"le", Le},
    {"gt", Gt},
    {"ge", Ge},
    {"addScalar", AddScalar},
    {"subScalar", SubScalar},
    {"mulScalar", MulScalar},
    {"divScalar", DivScalar},
    {"powScalar", PowScalar},
    {"remainderScalar", RemainderScalar},
    {"eqScalar", EqScalar},
    {"neScalar", NeScalar},
    {"ltScalar", LtScalar},
    {"leScalar", LeScalar},
    {"gtScalar", GtScalar},
    {"geScalar", GeScalar},
    {"maximum", Maximum},
    {"minimum", Minimum},
    {"logicalAnd", LogicalAnd},
    {"logicalOr", LogicalOr},
    {"neg", Neg},
    {"abs", Abs},
    {"exp", Exp},
    {"log", Log},
    {"log1p", Log1p},
    {"sqrt", Sqrt},
    {"rsqrt", Rsqrt},
    {"square", Square},
    {"reciprocal", Reciprocal},
    {"sign", Sign},
    {"floor", Floor},
    {"ceil", Ceil},
    {"round", Round},
    {"tanh", Tanh},
    {"logicalNot", LogicalNot},
    {"isNan", IsNan},
    {"isFinite", IsFinite},
    {"clamp", Clamp},
    {"where", Where},
    {"equal", Equal},
    {"add_", AddInPlace},
    {"sub_", SubInPlace},
    {"mul_", MulInPlace},
    {"div_", DivInPlace},
    {"addScalar_", AddScalarInPlace},
    {"subScalar_", SubScalarInPlace},
    {"mulScalar_", MulScalarInPlace},
    {"divScalar_", DivScalarInPlace},
    {"addcmul_", AddcmulInPlace},
    {"addcdiv_", AddcdivInPlace},
    {"lerp_", LerpInPlace},
    {"maximum_", MaximumInPlace},
    {"sqrt_", SqrtInPlace},
    {"clamp_", ClampInPlace},
    {"copy_", CopyInPlace},
    {"zero_", ZeroInPlace},
    {"fill_", FillInPlace},
};

}  // namespace

void RegisterPointwise(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
