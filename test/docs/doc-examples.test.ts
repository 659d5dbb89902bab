/**
 * The docs' command examples, run. Each entry names the doc, the text it shows (which must
 * still be there, so an edit to either side fails here), and how to run it at a small size;
 * where the doc shows what the command prints, the output is compared with it.
 * doc-commands.test.ts checks every other command line's flags without running it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";
import { captureConsole } from "../experiment/helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const doc = (path: string) => readFileSync(join(ROOT, path), "utf8");
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");
const nnr = (...args: string[]) => main(["node", "nnr", ...args]);
const grid = { models: ["smallcnn"], datasets: ["fashion-mnist"] };

describe("the docs' command examples, run at small sizes", () => {
  const output = captureConsole();
  const dir = mkdtempSync(join(tmpdir(), "nnr-doc-examples-"));

  it("experiments.md: a plan's mistakes, all on one line, as shown", async () => {
    const shown = doc("docs/experiments.md");
    const [planErrors, jsonError] = shown
      .split("\n")
      .filter((line) => line.startsWith("nnr: plan.json: "));
    expect(planErrors).toBeDefined();
    expect(jsonError).toBeDefined();

    const bad = join(dir, "bad-plan");
    const planPath = join(bad, "plan.json");
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      planPath,
      JSON.stringify({
        name: "bad",
        replicates: 0,
        grid: { models: ["smallcnn", "foo"], datasets: ["fashion-mnist"], settings: ["control"] },
      }),
    );
    expect(await nnr("experiment", "run", "--plan", planPath, "--out", join(bad, "out"))).not.toBe(
      0,
    );
    expect(output.lines().map(plain)).toContain(
      planErrors?.replaceAll("plan.json:", `${planPath}:`),
    );
    expect(existsSync(join(bad, "out"))).toBe(false);

    writeFileSync(planPath, '{\n  "name": "x",\n  bad\n}');
    expect(await nnr("experiment", "run", "--plan", planPath, "--out", join(bad, "out"))).not.toBe(
      0,
    );
    expect(output.lines().map(plain)).toContain(
      jsonError?.replaceAll("plan.json:", `${planPath}:`),
    );
  });

  it("experiments.md: a misspelt nested field, refused as shown", () => {
    const shown = "base.optimizer: unknown field 'learningRate'; did you mean lr?";
    expect(doc("docs/experiments.md")).toContain(`\`${shown}\``);
    const spec = { replicates: 1, base: { optimizer: { learningRate: 0.01 } }, grid };
    expect(() => validatePlanSpec(spec, "plan.json")).toThrow(`plan.json: ${shown}`);
  });

  it("README: the quick start's two runs and their divergence", async () => {
    const readme = doc("README.md");
    for (const shown of [
      "npx nnr train --setting control --epochs 1 --train-examples 2000 --trace --out runs/a",
      "npx nnr train --setting control --epochs 1 --train-examples 2000 --trace --threads 2 --out runs/b",
      "npx nnr diverge runs/a runs/b",
    ]) {
      expect(readme).toContain(shown);
    }
    const small = ["--setting", "control", "--epochs", "1", "--train-examples", "256"];
    const a = join(dir, "runs/a");
    const b = join(dir, "runs/b");
    expect(await nnr("train", ...small, "--test-examples", "128", "--trace", "--out", a)).toBe(0);
    expect(
      await nnr(
        "train",
        ...small,
        "--test-examples",
        "128",
        "--trace",
        "--threads",
        "2",
        "--out",
        b,
      ),
    ).toBe(0);
    expect(await nnr("diverge", a, b)).toBe(0);
    expect(existsSync(join(a, "divergence.json"))).toBe(true);
  }, 120_000);

  it("README: the audit that checks the thread count on this CPU", async () => {
    expect(doc("README.md")).toContain("`nnr audit --threads 1,2 --ops conv2d`");
    const out = join(dir, "audit");
    const small = ["--batch", "2", "--channels", "4", "--size", "8", "--repeats", "2"];
    expect(await nnr("audit", "--threads", "1,2", "--ops", "conv2d", ...small, "--out", out)).toBe(
      0,
    );
    const csv = readFileSync(join(out, "audit.csv"), "utf8");
    expect(csv).toContain("conv2d 3×3");
    expect(csv).not.toContain("maxPool2d");
  }, 120_000);
});
