/**
 * BatchNormalization, LayerNormalization and Dropout: the ops that train differently from how
 * they infer. A node trains when the module is in training mode and the exporter marked it as
 * training (BatchNormalization's training_mode, or its extra outputs before opset 14; Dropout's
 * training_mode input) — as the same layer does in PyTorch.
 */
import { F, G, ones, rand, type Tensor } from "../../engine/index.js";
import { attrFloat, attrInt, nodeError, type Op, type OpContext, required } from "./context.js";

/** Whether a BatchNormalization node was exported in training mode. */
export function exportedTraining(ctx: OpContext): boolean {
  if (ctx.opset >= 14) return attrInt(ctx, "training_mode", 0) !== 0;
  return ctx.node.outputs.slice(1).some((name) => name !== "");
}

/**
 * In training, the batch's statistics normalise and the running ones (buffers) are updated in
 * place; ONNX's momentum weighs the old value, PyTorch's the new one (theirs = 1 − ours).
 * The running statistics are the node's extra outputs.
 */
const batchNormalization: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => required(inputs, i, ctx)) as [
    Tensor,
    Tensor,
    Tensor,
    Tensor,
  ];
  const training = ctx.training && exportedTraining(ctx);
  const y = F.batchNorm(x, {
    weight: scale,
    bias,
    runningMean: mean,
    runningVar: variance,
    training,
    momentum: 1 - attrFloat(ctx, "momentum", 0.9),
    eps: attrFloat(ctx, "epsilon", 1e-5),
  });
  return training ? [y, mean, variance] : [y];
};

const layerNormalization: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const axis = attrInt(ctx, "axis", -1);
  const start = axis < 0 ? axis + x.ndim : axis;
  if (start < 0 || start >= x.ndim) throw nodeError(ctx, `axis ${axis} is outside rank ${x.ndim}`);
  const normalized = x.shape.slice(start);
  const scale = required(inputs, 1, ctx);
  const bias = inputs[2] ?? null;
  const expand = (t: Tensor | null) =>
    t === null || t.shape.length === normalized.length ? t : t.expand(normalized);
  const eps = attrFloat(ctx, "epsilon", 1e-5);
  const y = G.layerNorm(x, normalized, expand(scale), expand(bias), eps);
  if (ctx.node.outputs.slice(1).every((o) => o === "")) return [y];
  // The optional outputs: the mean and 1/√(biased variance + ε) over the normalised dims.
  const dims = normalized.map((_, i) => start + i);
  const mean = x.mean(dims, true);
  const invStd = x.var(dims, { unbiased: false, keepdim: true }).add(eps).rsqrt();
  return [y, mean, invStd];
};

/**
 * Inverted dropout with masks from the run's dropout generator. Its optional mask output is
 * drawn here the same way (uniform draws at or above the ratio keep an element).
 */
const dropout: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const ratio = inputs[1] === null || inputs[1] === undefined ? 0.5 : inputs[1].item();
  const marked = inputs[2] !== null && inputs[2] !== undefined && inputs[2].item() !== 0;
  const training = ctx.training && marked && ratio > 0;
  const wantsMask = (ctx.node.outputs[1] ?? "") !== "";
  if (!training) return wantsMask ? [x, ones(x.shape, { dtype: "bool", device: x.device })] : [x];
  if (ratio >= 1) throw nodeError(ctx, `ratio ${ratio} drops every element`);
  if (!wantsMask) return [F.dropout(x, ratio, ctx.dropoutGenerator, true)];
  const keep = rand(x.shape, ctx.dropoutGenerator, { device: x.device }).ge(ratio);
  return [x.mul(keep.to({ dtype: x.dtype })).div(1 - ratio), keep];
};

export const NORM_DROPOUT_OPS: Readonly<Record<string, Op>> = {
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Dropout: dropout,
};
