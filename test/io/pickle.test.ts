import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { unpickle } from "../../src/io/pickle.js";
import { removeTempDirs, tempDir } from "../data/fixtures.js";

afterAll(removeTempDirs);

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function refusal(data: Uint8Array): string {
  try {
    unpickle(data, "x.pkl");
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a refusal");
}

describe("restricted unpickler", () => {
  it("reads dicts, lists, tuples, integers, strings and bytes of protocol 2", () => {
    // pickle.dumps({'a': [1, 300, -5, 2**40], 'b': (None, True)}, protocol=2) with 'c': b'xy'
    // added as SHORT_BINBYTES; Python's pickle.loads reads this stream to those values.
    const data = bytes(
      "\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01M,\x01J\xfb\xff\xff\xff\x8a\x06\x00\x00\x00\x00\x00\x01eX\x01\x00\x00\x00bq\x03N\x88\x86q\x04X\x01\x00\x00\x00cq\x05C\x02xyq\x06u.",
    );
    const value = unpickle(data, "x.pkl") as Map<string, unknown>;
    expect(value.get("a")).toEqual([1, 300, -5, 2 ** 40]);
    expect(value.get("b")).toEqual({ kind: "tuple", items: [null, true] });
    expect([...(value.get("c") as Uint8Array)]).toEqual([120, 121]);
  });

  it("reads bytes Python 3 pickles at protocol 2 (_codecs.encode of latin1 text), short and long", () => {
    for (const length of [300, 70_000]) {
      const original = Uint8Array.from({ length }, (_, i) => (i * 37) % 256);
      const utf8 = Buffer.from(Buffer.from(original).toString("latin1"), "utf8");
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, utf8.length, true);
      const data = Buffer.concat([
        bytes("\x80\x02c_codecs\nencode\nX"),
        head,
        utf8,
        bytes("X\x06\x00\x00\x00latin1\x86R."),
      ]);
      expect([...(unpickle(data, "x.pkl") as Uint8Array)]).toEqual([...original]);
    }
  });

  it("refuses any global outside the numpy reconstruction list, executing nothing", () => {
    // pickle.dumps of an object whose __reduce__ is (os.system, ('echo hi',)).
    const system = bytes(
      "\x80\x02cposix\nsystem\nq\x00X\x07\x00\x00\x00echo hiq\x01\x85q\x02Rq\x03.",
    );
    expect(refusal(system)).toMatch(
      /^x\.pkl: pickle refused: global "posix\.system" is not allowed \(nnr accepts only numpy\.core\.multiarray\._reconstruct, .*\); nothing in a pickle is executed$/,
    );
    const stackGlobal = bytes("\x80\x04\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94.");
    expect(refusal(stackGlobal)).toMatch(/global "builtins\.eval" is not allowed/);
  });

  it("refuses opcodes outside the subset, truncation and a missing STOP", () => {
    expect(refusal(bytes("(lp0\nI1\na."))).toMatch(/opcode 'l' at byte 1 is outside the subset/);
    expect(refusal(bytes("\x80\x02X\xff\x00\x00\x00ab"))).toMatch(
      /runs past the end \(truncated\?\)/,
    );
    expect(refusal(bytes("\x80\x02K\x01"))).toMatch(/no STOP opcode/);
    expect(refusal(bytes("\x80\x05K\x01."))).toMatch(/protocol 5; nnr reads protocols 2–4/);
  });

  it("a CIFAR folder with a hostile batch fails in one line naming the file", () => {
    const dir = join(tempDir("cifar-hostile"), "cifar-10-batches-py");
    mkdirSync(dir);
    writeFileSync(join(dir, "test_batch"), bytes("\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsR."));
    let message = "";
    try {
      loadDataset("cifar10", { split: "test", dataDir: dir });
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/test_batch: pickle refused: global "os\.system" is not allowed/);
    expect(message).not.toContain("\n");
  });
});
