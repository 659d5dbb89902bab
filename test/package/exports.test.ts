/**
 * The package's public entry points: each `nnr/<layer>` name resolves through package.json's
 * exports map to the built JavaScript and its type declarations, as a library user imports it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string; default: string }>;
};

/** A few names each entry point must give, the ones docs/architecture.md's example uses. */
const EXPECTED: Record<string, string[]> = {
  contract: ["NOISE_SOURCES", "SETTINGS", "recipeOf"],
  engine: ["tidy", "Tensor", "Generator"],
  nn: ["Module", "Adam", "createModel"],
  data: ["DATASET_NAMES", "RandomStream"],
  train: ["trainRun", "resolveRunConfig"],
  experiment: ["planFromSource", "ensurePlanFile", "runPlan", "analyzeAndReport"],
  analysis: ["analyzeExperiment"],
  report: ["writeReport"],
};

describe("package exports", () => {
  it("maps every layer's entry point to built JavaScript and its declarations", () => {
    for (const layer of Object.keys(EXPECTED)) {
      const entry = manifest.exports[`./${layer}`];
      expect(entry, layer).toBeTypeOf("object");
      if (typeof entry !== "object") continue;
      expect(existsSync(join(root, entry.default)), entry.default).toBe(true);
      expect(existsSync(join(root, entry.types)), entry.types).toBe(true);
    }
  });

  it("resolves nnr/<layer> by the package's own name, with the names the docs use", () => {
    const script = `
      const expected = ${JSON.stringify(EXPECTED)};
      const missing = [];
      for (const [layer, names] of Object.entries(expected)) {
        const module = await import("nnr/" + layer);
        for (const name of names) if (!(name in module)) missing.push(layer + "." + name);
      }
      console.log(JSON.stringify(missing));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual([]);
  });

  it("keeps deep imports of dist/ out of the public surface", () => {
    const script = `import("nnr/dist/engine/index.js").then(() => console.log("open"), (e) => console.log(e.code))`;
    const output = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(output.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
