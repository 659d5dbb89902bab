/** Arithmetic, activations, MatMul and Gemm: ONNX's broadcasting matches libtorch's. */
import { F, G, type Tensor } from "../../engine/index.js";
import { attrFloat, attrInt, attrString, nodeError, type Op, required } from "./context.js";

const isInteger = (t: Tensor) => !["float32", "float64", "float16", "bfloat16"].includes(t.dtype);

const unary =
  (f: (x: Tensor) => Tensor): Op =>
  (inputs, ctx) => [f(required(inputs, 0, ctx))];

const binary =
  (f: (a: Tensor, b: Tensor) => Tensor): Op =>
  (inputs, ctx) => [f(required(inputs, 0, ctx), required(inputs, 1, ctx))];

/** ONNX's integer division truncates, and keeps the operands' type. */
function divide(a: Tensor, b: Tensor): Tensor {
  if (!isInteger(a)) return a.div(b);
  return a.div(b).to({ dtype: a.dtype });
}

/** Pow's result has the base's type, whatever the exponent's. */
function power(a: Tensor, b: Tensor): Tensor {
  const result = a.pow(b);
  return result.dtype === a.dtype ? result : result.to({ dtype: a.dtype });
}

const clip: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const bound = (i: number) => {
    const t = inputs[i];
    return t === null || t === undefined ? null : t.item();
  };
  const [low, high] = [bound(1), bound(2)];
  // With low > high every element becomes high, in libtorch as in ONNX's reference.
  return [low === null && high === null ? x : x.clamp(low, high)];
};

/** Y = alpha·A'·B' + beta·C; the common case (PyTorch's Linear) is one linear call. */
const gemm: Op = (inputs, ctx) => {
  let a = required(inputs, 0, ctx);
  let b = required(inputs, 1, ctx);
  const c = inputs[2] ?? null;
  const alpha = attrFloat(ctx, "alpha", 1);
  const beta = attrFloat(ctx, "beta", 1);
  if (attrInt(ctx, "transA", 0) !== 0) a = a.transpose(0, 1);
  const transB = attrInt(ctx, "transB", 0) !== 0;
  if (alpha === 1 && beta === 1 && transB && (c === null || c.ndim <= 1)) {
    return [F.linear(a, b, c)];
  }
  if (transB) b = b.transpose(0, 1);
  let y = a.matmul(b);
  if (alpha !== 1) y = y.mul(alpha);
  if (c !== null) y = y.add(beta === 1 ? c : c.mul(beta));
  return [y];
};

const softmaxLike =
  (f: (x: Tensor, dim: number) => Tensor): Op =>
  (inputs, ctx) => {
    const x = required(inputs, 0, ctx);
    const axis = attrInt(ctx, "axis", -1);
    if (ctx.opset < 13) throw nodeError(ctx, "Softmax before opset 13 is not supported");
    return [f(x, axis)];
  };

const gelu: Op = (inputs, ctx) => {
  const approximate = attrString(ctx, "approximate", "none");
  if (approximate !== "none" && approximate !== "tanh") {
    throw nodeError(ctx, `approximate '${approximate}' is not 'none' or 'tanh'`);
  }
  return [G.gelu(required(inputs, 0, ctx), approximate)];
};

const hardSigmoidOf = (x: Tensor, alpha: number, beta: number) =>
  x.mul(alpha).add(beta).clamp(0, 1);

export const ELEMENTWISE_OPS: Readonly<Record<string, Op>> = {
  Add: binary((a, b) => a.add(b)),
  Sub: binary((a, b) => a.sub(b)),
  Mul: binary((a, b) => a.mul(b)),
  Div: binary(divide),
  Pow: binary(power),
  MatMul: binary((a, b) => a.matmul(b)),
  Gemm: gemm,
  Sqrt: unary((x) => x.sqrt()),
  Erf: unary(G.erf),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Neg: unary((x) => x.neg()),
  Relu: unary((x) => x.relu()),
  Sigmoid: unary((x) => x.sigmoid()),
  Tanh: unary((x) => x.tanh()),
  Identity: unary((x) => x),
  Gelu: gelu,
  LeakyRelu: (inputs, ctx) => [
    F.leakyRelu(required(inputs, 0, ctx), attrFloat(ctx, "alpha", 0.01)),
  ],
  HardSigmoid: (inputs, ctx) => [
    hardSigmoidOf(
      required(inputs, 0, ctx),
      attrFloat(ctx, "alpha", 0.2),
      attrFloat(ctx, "beta", 0.5),
    ),
  ],
  HardSwish: unary((x) => x.mul(hardSigmoidOf(x, 1 / 6, 0.5))),
  Clip: clip,
  Softmax: softmaxLike(F.softmax),
  LogSoftmax: softmaxLike(F.logSoftmax),
};
