import { describe, expect, it } from "vitest";
import { formatCsv, parseCsv, parseCsvRecords } from "../../src/io/csv.js";

describe("csv", () => {
  it("parses quoted fields, CRLF and a missing final newline", () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\n2,\n"multi\nline",3')).toEqual([
      ["a", "b"],
      ["1", 'x, "y"'],
      ["2", ""],
      ["multi\nline", "3"],
    ]);
  });

  it("round-trips records through formatCsv", () => {
    const rows = [{ group: 'a,"b"', value: 0.5, note: "" }];
    const text = formatCsv(["group", "value", "note"], rows);
    expect(text).toBe('group,value,note\n"a,""b""",0.5,\n');
    expect(parseCsvRecords(text).records).toEqual([{ group: 'a,"b"', value: "0.5", note: "" }]);
  });
});
