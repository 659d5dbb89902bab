import { readFileSync } from "node:fs";

/** Rows of a pred/labels text file: one example per line, values separated by spaces. */
export interface ParsedRows {
  examples: number;
  /** Values per line: 1 for a class index, the attribute count for multi-label rows. */
  width: number;
  values: Int32Array;
}

/**
 * Parses a prediction or label file. Throws a one-line Error naming the file and the
 * first bad line, so a half-written file is reported rather than misread.
 */
export function readIntegerRows(path: string): ParsedRows {
  const text = readFileSync(path, "utf8");
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) throw new Error(`${path}: empty file`);
  const width = lines[0]!.trim().split(/\s+/).length;
  const values = new Int32Array(lines.length * width);
  for (const [index, line] of lines.entries()) {
    const cells = line.trim().split(/\s+/);
    if (cells.length !== width) {
      throw new Error(`${path}: line ${index + 1} has ${cells.length} values, line 1 has ${width}`);
    }
    for (const [column, cell] of cells.entries()) {
      if (!/^\d+$/.test(cell)) {
        throw new Error(`${path}: line ${index + 1} holds "${cell}", not a class index`);
      }
      values[index * width + column] = Number(cell);
    }
  }
  return { examples: lines.length, width, values };
}
