/** docs/your-model.md lists exactly the ops src/onnx runs. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SUPPORTED_OPS } from "../../src/onnx/index.js";

describe("docs/your-model.md", () => {
  it("lists the supported ops", () => {
    const doc = readFileSync(new URL("../../docs/your-model.md", import.meta.url), "utf8");
    const block = /<!-- supported-ops[^>]*-->\n([\s\S]*?)\n<!-- \/supported-ops -->/.exec(doc);
    expect(block).not.toBeNull();
    const listed = block![1]!.split(/,\s*/).map((op) => op.trim());
    expect(listed).toEqual([...SUPPORTED_OPS]);
  });
});
