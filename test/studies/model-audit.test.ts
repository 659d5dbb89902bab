/**
 * `nnr audit --model FILE.onnx`: every node of a user's graph run alone on its real inputs,
 * forward and backward, repeatedly. On the CPU the kernels of a small CNN with BatchNorm and
 * Dropout (PyTorch's export, test/onnx/fixtures/bn_cnn.onnx) repeat their bits at one thread
 * count, so the audit must say that no node changed; no CPU op is known to vary run to run,
 * so the naming of a changed node is checked on injected comparisons.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { liveTensors } from "../../src/engine/index.js";
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
import { TINY_CNN_NODES, tinyCnnFile } from "./tiny-onnx.js";

const BN_CNN = resolve(import.meta.dirname, "../onnx/fixtures/bn_cnn.onnx");
const BN_CNN_NODES = [
  "/conv1/Conv (Conv)",
  "/bn1/BatchNormalization (BatchNormalization)",
  "/Relu (Relu)",
  "/MaxPool (MaxPool)",
  "/conv2/Conv (Conv)",
  "/bn2/BatchNormalization (BatchNormalization)",
  "/Relu_1 (Relu)",
  "/dropout/Dropout (Dropout)",
  "/GlobalAveragePool (GlobalAveragePool)",
  "/Flatten (Flatten)",
  "/fc/Gemm (Gemm)",
];

const same: BitComparison = { identical: true, differing: 0, maxAbsDiff: 0, maxUlpDiff: 0 };
const differs: BitComparison = { identical: false, differing: 3, maxAbsDiff: 1e-7, maxUlpDiff: 2 };

const entry = (node: string, pass: ModelAuditEntry["pass"]): ModelAuditEntry => ({
  node,
  pass,
  shapes: "[2, 2]",
});

describe("naming the nodes whose bits change (injected comparisons)", () => {
  const entries = [
    entry("conv (Conv)", "forward"),
    entry("conv (Conv)", "backward"),
    entry("sum (ReduceMean)", "forward"),
    entry("sum (ReduceMean)", "backward"),
    entry("fc (Gemm)", "forward"),
  ];
  // ReduceMean's forward varies run to run at 2 threads; the conv's backward across threads.
  const comparisons: ThreadComparison[] = [
    { threads: 1, repeat: [same, same, same, same, same], vsBaseline: null },
    {
      threads: 2,
      repeat: [same, same, differs, same, same],
      vsBaseline: [same, differs, same, same, same],
    },
  ];

  it("finds the changed entries run to run and across threads", () => {
    const names = (list: ModelAuditEntry[]) => list.map((e) => `${e.node} ${e.pass}`);
    expect(names(changedEntries(entries, comparisons, "repeat"))).toEqual([
      "sum (ReduceMean) forward",
    ]);
    expect(names(changedEntries(entries, comparisons, "threads"))).toEqual([
      "conv (Conv) backward",
    ]);
  });

  it("names each node and pass that changed", () => {
    expect(modelAuditSummary(entries, comparisons)).toEqual([
      "run to run: 1 of 3 nodes changed bits: sum (ReduceMean) forward",
      "1 thread(s) against 2: 1 of 3 nodes changed bits: conv (Conv) backward",
    ]);
  });

  it("says that no node changed when none did", () => {
    const none: ThreadComparison[] = [
      { threads: 1, repeat: [same, same, same, same, same], vsBaseline: null },
    ];
    expect(modelAuditSummary(entries, none)).toEqual([
      "run to run: no node changed its bits (3 nodes, forward and backward)",
    ]);
  });
});

describe("auditing an exported PyTorch CNN with BatchNorm and Dropout", () => {
  it("runs every node alone, forward and backward; on the CPU none changes run to run", () => {
    const before = liveTensors();
    const audit = auditModel(readOnnxModel(BN_CNN), {
      device: "cpu",
      threads: [1],
      repeats: 3,
      deterministic: false,
      seed: 0,
      batch: 4,
    });
    // Every node but the Constants, forward and backward, in graph order.
    expect(audit.entries.map((e) => `${e.node} ${e.pass}`)).toEqual(
      BN_CNN_NODES.flatMap((node) => [`${node} forward`, `${node} backward`]),
    );
    // The first conv's output, then the gradients of its input, weight and bias.
    expect(audit.entries[0]!.shapes).toBe("[4, 8, 8, 8]");
    expect(audit.entries[1]!.shapes).toBe("[4, 3, 8, 8] [8, 3, 3, 3] [8]");
    // BatchNorm's outputs in training: the normalised map and the two running statistics.
    expect(audit.entries[2]!.shapes).toBe("[4, 8, 8, 8] [8] [8]");
    expect(liveTensors()).toBe(before);
    expect(audit.rows).toHaveLength(audit.entries.length);
    expect(audit.rows.every((row) => row.repeat.identical)).toBe(true);
    expect(modelAuditSummary(audit.entries, audit.comparisons)).toEqual([
      "run to run: no node changed its bits (11 nodes, forward and backward)",
    ]);
  }, 60_000);
});

describe("nnr audit --model", () => {
  const dir = tempDir("audit-model");

  it("audits a file's nodes and writes audit.csv with a forward and a backward row per node", async () => {
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
      "run to run: no node changed its bits (6 nodes, forward and backward)",
    );
    expect(result.stdout).toMatch(/1 thread\(s\) against 2: /);
    const csv = readFileSync(join(out, "audit.csv"), "utf8");
    for (const node of TINY_CNN_NODES) {
      expect(csv).toContain(`${node} forward`);
      expect(csv).toContain(`${node} backward`);
    }
    // A header, then a forward and a backward row per node at each of the two thread counts.
    expect(csv.trim().split("\n")).toHaveLength(1 + 2 * 2 * TINY_CNN_NODES.length);
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
