/**
 * Minimal RFC 4180 CSV: enough for Keras CSVLogger logs, overhead tables and our results.
 * Quoted fields may hold commas, quotes ("") and newlines.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inQuotes) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      inQuotes = true;
    } else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += char;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ""));
}

/** Parses CSV with a header row into records keyed by column name. */
export function parseCsvRecords(text: string): {
  columns: string[];
  records: Record<string, string>[];
} {
  const [columns = [], ...body] = parseCsv(text);
  const records = body.map((cells) =>
    Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ""])),
  );
  return { columns, records };
}

function escapeField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsv(
  columns: readonly string[],
  rows: readonly Record<string, string | number | boolean | null | undefined>[],
): string {
  const lines = [columns.map(escapeField).join(",")];
  for (const row of rows) lines.push(columns.map((column) => escapeField(row[column])).join(","));
  return `${lines.join("\n")}\n`;
}
