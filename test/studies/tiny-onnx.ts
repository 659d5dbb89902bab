/**
 * A tiny CNN as an ONNX graph, for the studies on an imported model: Conv 3×3 (4 filters) →
 * Relu → MaxPool 2×2 → GlobalAveragePool → Flatten → Gemm (10 classes), on Fashion-MNIST's
 * [N, 1, 28, 28] images, its nodes and initializers named as PyTorch's exporter names them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { lcgWeights, linearNode, modelBytes } from "../onnx/build-model.js";

export const TINY_CNN_INITIALIZERS = ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"];
/** Its nodes as the audit names them: name (op type). */
export const TINY_CNN_NODES = [
  "/conv1/Conv (Conv)",
  "/Relu (Relu)",
  "/MaxPool (MaxPool)",
  "/GlobalAveragePool (GlobalAveragePool)",
  "/Flatten (Flatten)",
  "/fc/Gemm (Gemm)",
];

export function tinyCnnFile(dir: string, name = "tiny-cnn.onnx"): string {
  const file = join(dir, name);
  const bytes = modelBytes({
    nodes: [
      {
        op: "Conv",
        inputs: ["input", "conv1.weight", "conv1.bias"],
        outputs: ["c1"],
        name: "/conv1/Conv",
        intLists: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: "Relu", inputs: ["c1"], outputs: ["r1"], name: "/Relu" },
      {
        op: "MaxPool",
        inputs: ["r1"],
        outputs: ["p1"],
        name: "/MaxPool",
        intLists: { kernel_shape: [2, 2], strides: [2, 2] },
      },
      { op: "GlobalAveragePool", inputs: ["p1"], outputs: ["g"], name: "/GlobalAveragePool" },
      { op: "Flatten", inputs: ["g"], outputs: ["flat"], name: "/Flatten" },
      linearNode("fc", "flat", "logits", "/fc/Gemm"),
    ],
    initializers: [
      { name: "conv1.weight", dims: [4, 1, 3, 3], floats: lcgWeights(36, 9, 1) },
      { name: "conv1.bias", dims: [4], floats: lcgWeights(4, 9, 2) },
      { name: "fc.weight", dims: [10, 4], floats: lcgWeights(40, 4, 3) },
      { name: "fc.bias", dims: [10], floats: lcgWeights(10, 4, 4) },
    ],
    inputs: [{ name: "input", dims: [1, 1, 28, 28] }],
    outputs: ["logits"],
  });
  writeFileSync(file, bytes);
  return file;
}
