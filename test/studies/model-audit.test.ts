/**
 * `nnr audit --model FILE.onnx`: every node of a user's graph, forward and backward, run
 * repeatedly. On the CPU the kernels of a small CNN with BatchNorm and Dropout (PyTorch's
 * export, test/onnx/fixtures/bn_cnn.onnx) repeat their bits at one thread count, so the audit
 * must say that no node changed; no CPU op is known to vary run to run, so the naming of a
 * changed node is checked on injected comparisons.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readOnnxModel } from "../../src/onnx/index.js";
import {
  auditModel,
  type BitComparison,
  changedEntries,
  type ModelAuditEntry,
  modelAuditSummary,
  type ThreadComparison,
} from "../../src/studies/audit/index.js";
import { runCli, tempDir } from "../train/helpers.js";
import { TINY_CNN_INITIALIZERS, TINY_CNN_NODES, tinyCnnFile } from "./tiny-onnx.js";

const BN_CNN = resolve(import.meta.dirname, "../onnx/fixtures/bn_cnn.onnx");
const BN_CNN_NODES = [
  "/conv1/Conv (Conv)",
  ...["0", "1", "2"].map(
    (i) => `/bn1/BatchNormalization (BatchNormalization) → /bn1/BatchNormalization_output_${i}`,
  ),
  "/Relu (Relu)",
  "/MaxPool (MaxPool)",
  "/conv2/Conv (Conv)",
  ...["0", "1", "2"].map(
    (i) => `/bn2/BatchNormalization (BatchNormalization) → /bn2/BatchNormalization_output_${i}`,
  ),
  "/Relu_1 (Relu)",
  "/dropout/Dropout (Dropout)",
  "/GlobalAveragePool (GlobalAveragePool)",
  "/Flatten (Flatten)",
  "/fc/Gemm (Gemm)",
];

const same: BitComparison = { identical: true, differing: 0, maxAbsDiff: 0, maxUlpDiff: 0 };
const differs: BitComparison = { identical: false, differing: 3, maxAbsDiff: 1e-7, maxUlpDiff: 2 };

const entry = (kind: ModelAuditEntry["kind"], label: string): ModelAuditEntry => ({
  kind,
  label,
  value: label,
  shape: [2, 2],
});

describe("naming the nodes whose bits change (injected comparisons)", () => {
  const entries = [
    entry("output", "conv (Conv)"),
    entry("output", "sum (ReduceMean)"),
    entry("output", "fc (Gemm)"),
    entry("gradient", "fc.weight"),
  ];
  // ReduceMean varies run to run at 2 threads; from there on everything after it does too.
  const comparisons: ThreadComparison[] = [
    { threads: 1, repeat: [same, same, same, same], vsBaseline: null },
    {
      threads: 2,
      repeat: [same, differs, differs, differs],
      vsBaseline: [differs, same, same, same],
    },
  ];

  it("finds the changed entries run to run and across threads", () => {
    expect(changedEntries(entries, comparisons, "repeat").map((e) => e.label)).toEqual([
      "sum (ReduceMean)",
      "fc (Gemm)",
      "fc.weight",
    ]);
    expect(changedEntries(entries, comparisons, "threads").map((e) => e.label)).toEqual([
      "conv (Conv)",
    ]);
  });

  it("names the first node in graph order, then every node and gradient", () => {
    const [repeat, threads] = modelAuditSummary(entries, comparisons);
    expect(repeat).toBe(
      "run to run: 2 of 3 node outputs and 1 gradients changed bits; first node: sum (ReduceMean); nodes: sum (ReduceMean), fc (Gemm); gradients: fc.weight",
    );
    expect(threads).toContain(
      "1 thread(s) against 2: 1 of 3 node outputs and 0 gradients changed bits; first node: conv (Conv)",
    );
  });

  it("names a gradient when no node output changed", () => {
    const onlyGradient: ThreadComparison[] = [
      { threads: 1, repeat: [same, same, same, differs], vsBaseline: null },
    ];
    expect(modelAuditSummary(entries, onlyGradient)).toEqual([
      "run to run: 0 of 3 node outputs and 1 gradients changed bits; first gradient: fc.weight; gradients: fc.weight",
    ]);
  });

  it("says that no node changed when none did", () => {
    const none: ThreadComparison[] = [
      { threads: 1, repeat: [same, same, same, same], vsBaseline: null },
    ];
    expect(modelAuditSummary(entries, none)).toEqual([
      "run to run: no node changed its bits (3 node outputs and 1 gradients compared)",
    ]);
  });
});

describe("auditing an exported PyTorch CNN with BatchNorm and Dropout", () => {
  it("runs every node and every parameter's gradient; on the CPU none changes run to run", () => {
    const audit = auditModel(readOnnxModel(BN_CNN), {
      device: "cpu",
      threads: [1],
      repeats: 3,
      deterministic: false,
      seed: 0,
      batch: 4,
    });
    const outputs = audit.entries.filter((e) => e.kind === "output");
    expect(outputs.map((e) => e.label)).toEqual(BN_CNN_NODES);
    expect(outputs[0]!.shape).toEqual([4, 8, 8, 8]);
    expect(audit.entries.filter((e) => e.kind === "gradient").map((e) => e.label)).toEqual([
      "conv1.weight",
      "conv1.bias",
      "bn1.weight",
      "bn1.bias",
      "conv2.weight",
      "bn2.weight",
      "bn2.bias",
      "fc.weight",
      "fc.bias",
    ]);
    expect(audit.rows).toHaveLength(audit.entries.length);
    expect(audit.rows.every((row) => row.repeat.identical)).toBe(true);
    expect(modelAuditSummary(audit.entries, audit.comparisons)).toEqual([
      "run to run: no node changed its bits (15 node outputs and 9 gradients compared)",
    ]);
  }, 60_000);
});

describe("nnr audit --model", () => {
  const dir = tempDir("audit-model");

  it("audits a file's nodes and writes audit.csv with a row per node and gradient", async () => {
    const file = tinyCnnFile(dir);
    const out = join(dir, "out");
    const result = await runCli([
      "audit",
      "--model",
      file,
      "--threads",
      "1,2",
      "--repeats",
      "2",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("input [1, 1, 28, 28]");
    expect(result.stdout).toContain(
      "run to run: no node changed its bits (6 node outputs and 4 gradients compared)",
    );
    expect(result.stdout).toMatch(/1 thread\(s\) against 2: /);
    const csv = readFileSync(join(out, "audit.csv"), "utf8");
    for (const node of TINY_CNN_NODES) expect(csv).toContain(node);
    for (const name of TINY_CNN_INITIALIZERS) expect(csv).toContain(`gradient of ${name}`);
    // A header, then one row per entry at each of the two thread counts.
    expect(csv.trim().split("\n")).toHaveLength(1 + 2 * 10);
  }, 60_000);

  it("refuses the op list's flags with --model, and a file that is not a model, in one line", async () => {
    const file = tinyCnnFile(dir, "flags.onnx");
    const ops = await runCli(["audit", "--model", file, "--ops", "conv", "--out", join(dir, "x")]);
    expect(ops.code).not.toBe(0);
    expect(ops.stderr.trim().split("\n")).toHaveLength(1);
    expect(ops.stderr).toContain("--ops: shapes the op list");
    const bad = join(dir, "bad.onnx");
    writeFileSync(bad, "not a model\n");
    const refused = await runCli(["audit", "--model", bad, "--out", join(dir, "y")]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${bad}: not an ONNX model`);
    expect(existsSync(join(dir, "y"))).toBe(false);
  });
});
