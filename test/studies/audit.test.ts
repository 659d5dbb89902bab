/**
 * The kernel audit on a tiny shape: at a fixed thread count every CPU op repeats its bits
 * (libtorch's CPU kernels are deterministic at a fixed thread count), the table and CSV list
 * every op, and an op that does vary is caught with the right ULP distance.
 */
import { describe, expect, it } from "vitest";
import { type Generator, liveTensors, rand, scalar, type Tensor } from "../../src/engine/index.js";
import { parseCsvRecords } from "../../src/io/csv.js";
import {
  AUDIT_COLUMNS,
  AUDIT_OPS,
  type AuditOp,
  type AuditSettings,
  auditCsv,
  auditOp,
  auditTable,
  runAudit,
} from "../../src/studies/audit/index.js";

const TINY: AuditSettings = {
  device: "cpu",
  threads: [1],
  repeats: 3,
  scale: { batch: 2, channels: 8, size: 8 },
  deterministic: false,
  seed: 0,
};
const MACHINE = { hardware: "test cpu", libtorch: "test" };

describe("the audit on CPU", () => {
  it("finds every op bit-identical run to run at a fixed thread count, and lists every op", () => {
    const before = liveTensors();
    const rows = runAudit(TINY);
    expect(liveTensors()).toBe(before);
    expect(rows.map((row) => row.op)).toEqual(AUDIT_OPS.map((op) => op.name));
    for (const row of rows) {
      expect(row.repeat, row.op).toEqual({
        identical: true,
        differing: 0,
        maxAbsDiff: 0,
        maxUlpDiff: 0,
      });
      expect(row.vsBaseline).toBeNull();
    }
    const { columns, records } = parseCsvRecords(auditCsv(rows, TINY, MACHINE));
    expect(columns).toEqual([...AUDIT_COLUMNS]);
    expect(records.map((record) => record.op)).toEqual(AUDIT_OPS.map((op) => op.name));
    expect(records.every((record) => record.identical === "true")).toBe(true);
    const table = auditTable(rows);
    for (const op of AUDIT_OPS) expect(table).toContain(op.name);
  });

  it("compares each further thread count against the first", () => {
    const settings = { ...TINY, threads: [1, 2], repeats: 2 };
    const rows = runAudit(settings, { ops: AUDIT_OPS.filter((op) => op.name === "matmul") });
    expect(rows.map((row) => [row.threads, row.baselineThreads])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(rows[0]!.vsBaseline).toBeNull();
    expect(rows[1]!.vsBaseline).not.toBeNull();
    const records = parseCsvRecords(auditCsv(rows, settings, MACHINE)).records;
    expect(records[0]!.vs_baseline_identical).toBe("");
    expect(["true", "false"]).toContain(records[1]!.vs_baseline_identical);
  });

  it("catches an op whose bits change between runs, with its ULP distance", () => {
    // Inputs in [1, 2), where floats are 2^-23 apart; run k adds k·2^-23, so run 2 is 2 ULPs
    // (2^-22) from run 0. The gradient (ones) stays the same.
    let calls = 0;
    const drifting: AuditOp = {
      name: "drifting",
      shapes: () => "[4]",
      setup: (generator: Generator) => ({ grad: [rand([4], generator).add(1)], fixed: [] }),
      forward: ([x]: Tensor[]) => x!.add(scalar(calls++ * 2 ** -23)),
    };
    const [row] = auditOp(drifting, { ...TINY, repeats: 3 });
    expect(row!.repeat).toEqual({
      identical: false,
      differing: 4,
      maxAbsDiff: 2 ** -22,
      maxUlpDiff: 2,
    });
    expect(auditTable([row!])).toMatch(/drifting\s+1\s+4 differ\s+2\.38e-7\s+2/);
  });
});
