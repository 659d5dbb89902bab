/**
 * A missing data folder: refused before any run starts, in one line naming the flag or plan
 * field; an experiment folder made with a wrong folder is repaired in place by a corrected
 * `--data-dir` (a location, not a new plan); refusals name real flags.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ensurePlanFile, expandPlan, readPlan } from "../../src/experiment/plan.js";
import { applyOverrides } from "../../src/experiment/plan-source.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";
import { captureConsole, fakeSpec, tempDir, writeSpec } from "./helpers.js";

const nnr = (...args: string[]) => main(["node", "nnr", ...args]);

/** An experiment folder as a runner before the check left it: its plan reads a missing folder. */
function brokenFolder(root: string, missing: string): string {
  const dir = join(root, "broken");
  mkdirSync(dir, { recursive: true });
  const spec = applyOverrides(
    validatePlanSpec(fakeSpec(3, 1), "test"),
    { dataDirs: { "*": missing } },
    "test",
  );
  ensurePlanFile(dir, expandPlan(spec, "test", {}));
  return dir;
}

describe("data folders", () => {
  const output = captureConsole();

  it("refuses a missing --data-dir before anything starts, in one line", async () => {
    const root = tempDir("data-missing");
    const spec = writeSpec(root, fakeSpec(3, 1));
    const out = join(root, "out");
    const code = await nnr(
      "experiment",
      "run",
      "--plan",
      spec,
      "--data-dir",
      "/nonexistent",
      "--out",
      out,
    );
    expect(code).not.toBe(0);
    const errors = output.lines().filter((line) => line.includes("nnr:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /--data-dir \/nonexistent: no such folder \(fashion-mnist, 12 runs\)/,
    );
    expect(errors[0]).toMatch(/nothing was started/);
    expect(existsSync(out)).toBe(false);
  });

  it("names the plan's field when the plan file named the folder", async () => {
    const root = tempDir("data-field");
    const spec = writeSpec(root, {
      ...fakeSpec(1, 1),
      dataDirs: { "fashion-mnist": "/nonexistent" },
    });
    expect(await nnr("experiment", "run", "--plan", spec, "--out", join(root, "out"))).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(
      /dataDirs\.fashion-mnist \/nonexistent: no such folder/,
    );
  });

  it("repairs a broken folder in place with --out DIR --data-dir", async () => {
    const root = tempDir("data-repair");
    const dir = brokenFolder(root, "/nonexistent");
    // Resuming as it is says how to repair it.
    expect(await nnr("experiment", "run", "--out", dir, "--dry-run")).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(
      new RegExp(`nnr experiment run --out ${dir} --data-dir DIR --retry-failed`),
    );
    const data = join(root, "data");
    mkdirSync(data);
    expect(
      await nnr(
        "experiment",
        "run",
        "--out",
        dir,
        "--data-dir",
        data,
        "--retry-failed",
        "--dry-run",
      ),
    ).toBe(0);
    const plan = readPlan(dir);
    expect(plan.runs.map((entry) => entry.config.dataDir)).toEqual(Array(12).fill(data));
    expect(plan.runs).toHaveLength(12);
  });

  it("takes the same plan with a corrected --data-dir as a new location, not a new plan", async () => {
    const root = tempDir("data-plan-again");
    const dir = brokenFolder(root, "/nonexistent");
    const data = join(root, "data");
    mkdirSync(data);
    const spec = writeSpec(root, fakeSpec(3, 1));
    expect(
      await nnr("experiment", "run", "--plan", spec, "--data-dir", data, "--out", dir, "--dry-run"),
    ).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).runs[0].config.dataDir).toBe(
      data,
    );
    // A plan with other runs is still refused, naming the real way out.
    const other = writeSpec(root, fakeSpec(2, 1), "other.json");
    expect(
      await nnr("experiment", "run", "--plan", other, "--data-dir", data, "--out", dir),
    ).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(/holds a different plan/);
  });

  it("names real flags when a resumed folder is given flags that change its runs", async () => {
    const root = tempDir("data-flags");
    const dir = brokenFolder(root, "/nonexistent");
    expect(await nnr("experiment", "run", "--out", dir, "--replicates", "2")).not.toBe(0);
    const text = output.lines().join("\n");
    expect(text).toMatch(/--replicates: .* leave them out to resume it, or give another --out/);
    expect(text).not.toMatch(/--data-dirs/);
  });
});
