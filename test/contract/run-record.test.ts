/** run.json's one reader: what it checks, and that it hands back the file as written. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunRecordError, readRunRecordFile } from "../../src/contract/run-record.js";
import { tempDir } from "../analysis/fixtures.js";

const RECORD = {
  format: "nnr-run/2",
  status: "complete",
  group: "smallcnn_fashion-mnist_control",
  replicate: 0,
  config: { model: "smallcnn", dataset: "fashion-mnist", setting: "control", threads: 1 },
  pool: null,
  seeds: { init: 0, input: 0 },
  task: { kind: "multiclass", classes: 10, classNames: [], testExamples: 4 },
  futureField: { kept: true },
};

function write(text: string): string {
  const path = join(tempDir("run-record"), "run.json");
  writeFileSync(path, text);
  return path;
}

describe("readRunRecordFile", () => {
  it("returns null where there is no run.json", () => {
    expect(readRunRecordFile(join(tempDir("run-record"), "run.json"))).toBeNull();
  });

  it("hands back the file's object: unread fields kept, key order kept, nothing filled in", () => {
    const record = readRunRecordFile(write(JSON.stringify(RECORD)))!;
    expect(JSON.stringify(record)).toBe(JSON.stringify(RECORD));
    expect(record.status).toBe("complete");
  });

  it("names the file and the field for a truncated file or a record missing a field", () => {
    const truncated = write(JSON.stringify(RECORD).slice(0, 40));
    expect(() => readRunRecordFile(truncated)).toThrow(RunRecordError);
    expect(() => readRunRecordFile(truncated)).toThrow(
      new RegExp(`^${truncated}: cannot read run record \\(`),
    );
    const { config: _config, ...noConfig } = RECORD;
    const missing = write(JSON.stringify(noConfig));
    expect(() => readRunRecordFile(missing)).toThrow(`${missing}: not a run record: config`);
    const badStatus = write(JSON.stringify({ ...RECORD, status: "done" }));
    expect(() => readRunRecordFile(badStatus)).toThrow(/not a run record: status/);
    const otherFormat = write(JSON.stringify({ ...RECORD, format: "keras" }));
    expect(() => readRunRecordFile(otherFormat)).toThrow(/not a run record: format/);
  });
});
