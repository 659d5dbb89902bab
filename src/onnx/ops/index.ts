/** Every ONNX op nnr runs, by op type (ONNX's default domain); anything else is refused. */
import type { Op } from "./context.js";
import { CONV_POOL_OPS } from "./conv-pool.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import { NORM_DROPOUT_OPS } from "./norm-dropout.js";
import { PAD_REDUCE_CONSTANT_OPS } from "./pad-reduce-constant.js";
import { SHAPE_OPS } from "./shape.js";

export type { Op, OpContext } from "./context.js";

export const OPS: Readonly<Record<string, Op>> = {
  ...ELEMENTWISE_OPS,
  ...CONV_POOL_OPS,
  ...NORM_DROPOUT_OPS,
  ...SHAPE_OPS,
  ...PAD_REDUCE_CONSTANT_OPS,
};

/** The supported op types, sorted (docs/your-model.md lists the same). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();
