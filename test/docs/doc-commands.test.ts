/**
 * The command lines the README and docs/ show must be ones nnr accepts: every `nnr …` (or
 * `npx nnr …`) line in a fenced `sh` block names a real command and only flags that command
 * has, and every relative link points at a file of the repository. A renamed flag or a moved
 * page then fails here instead of going stale in the docs. (doc-examples.test.ts runs a
 * chosen few of the commands at small sizes and compares what they print.)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** The lines of every fenced block whose info string starts with `sh`, with their line numbers. */
function shellLines(markdown: string): { line: number; text: string }[] {
  const lines = markdown.split("\n");
  const out: { line: number; text: string }[] = [];
  let inShell = false;
  let inFence = false;
  lines.forEach((text, index) => {
    const fence = /^\s*```(\S*)/.exec(text);
    if (fence) {
      if (inFence) {
        inFence = false;
        inShell = false;
      } else {
        inFence = true;
        inShell = (fence[1] ?? "").startsWith("sh");
      }
      return;
    }
    if (inShell) out.push({ line: index + 1, text });
  });
  return out;
}

/** The `nnr` invocations of one shell line: arguments after `nnr`, comments and `[ ]` removed. */
function nnrInvocations(text: string): string[][] {
  const code = text.replace(/\s#.*$/, "");
  return code
    .split(/&&|;|\s\|\s/)
    .map((segment) => segment.trim().split(/\s+/))
    .map((tokens) => (tokens[0] === "npx" ? tokens.slice(1) : tokens))
    .filter((tokens) => tokens[0] === "nnr")
    .map((tokens) => tokens.slice(1).map((token) => token.replace(/[[\]]/g, "")));
}

function program(): Command {
  const root = new Command("nnr").option("--debug");
  for (const register of commands) register(root);
  return root;
}

/** What is wrong with one invocation, or null: an unknown command or a flag it lacks. */
function problem(root: Command, args: string[]): string | null {
  let command = root;
  let rest = args.filter((arg) => arg !== "--debug");
  for (;;) {
    const name = rest[0];
    const sub = command.commands.find((c) => c.name() === name);
    if (sub === undefined) break;
    command = sub;
    rest = rest.slice(1);
  }
  if (command === root) {
    if (rest.length === 0 || rest[0] === "--help" || rest[0] === "...") return null;
    return `no command '${rest[0]}'`;
  }
  if (command.name() === "original") return null; // passes the original's own flags through
  if (command.commands.length > 0 && rest[0] !== "--help") {
    return `'${command.name()}' needs a subcommand (${command.commands.map((c) => c.name()).join(", ")})`;
  }
  const known = new Set(command.options.map((o) => o.long).concat(["--help", "--debug"]));
  for (const arg of rest) {
    if (!arg.startsWith("--")) continue;
    const flag = arg.split("=")[0] ?? arg;
    if (!known.has(flag)) return `'nnr ${command.name()}' has no flag ${flag}`;
  }
  return null;
}

describe("the docs' command lines", () => {
  const root = program();
  for (const doc of DOCS) {
    it(`${doc}: every nnr command and flag exists`, () => {
      const problems: string[] = [];
      let seen = 0;
      for (const { line, text } of shellLines(readFileSync(join(ROOT, doc), "utf8"))) {
        for (const args of nnrInvocations(text)) {
          seen++;
          const found = problem(root, args);
          if (found !== null) problems.push(`${doc}:${line}: ${found}: ${text.trim()}`);
        }
      }
      expect(problems).toEqual([]);
      if (doc === "README.md") expect(seen).toBeGreaterThan(10);
    });

    it(`${doc}: every relative link points at a file`, () => {
      const markdown = readFileSync(join(ROOT, doc), "utf8");
      const missing = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1] ?? "")
        .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith("#"))
        .map((target) => target.split("#")[0] ?? "")
        .filter((path) => !existsSync(resolve(dirname(join(ROOT, doc)), path)));
      expect(missing).toEqual([]);
    });
  }

  it("finds a stale flag and an unknown command (the check can fail)", () => {
    expect(problem(root, ["experiment", "run", "--data-dirs", "x"])).toMatch(/no flag --data-dirs/);
    expect(problem(root, ["trian"])).toMatch(/no command 'trian'/);
    expect(problem(root, ["train", "--epochs", "1", "--out", "x"])).toBeNull();
    expect(nnrInvocations("nnr train ... --trace && nnr diverge runs/a runs/b   # part")).toEqual([
      ["train", "...", "--trace"],
      ["diverge", "runs/a", "runs/b"],
    ]);
  });
});

/** `import { a, b } from "spec"` statements of the docs' fenced `ts` blocks. */
function codeImports(markdown: string): { names: string[]; from: string }[] {
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks.flatMap((code) =>
    [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)].map((m) => ({
      names: (m[1] ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "" && !name.startsWith("type ")),
      from: m[2] ?? "",
    })),
  );
}

describe("the docs' code examples", () => {
  const exportsField = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))
    .exports as Record<string, unknown>;
  for (const doc of DOCS) {
    it(`${doc}: imports only the package's entry points, and names they export`, async () => {
      const problems: string[] = [];
      for (const { names, from } of codeImports(readFileSync(join(ROOT, doc), "utf8"))) {
        const entry = from.startsWith("nnr/") ? `./${from.slice(4)}` : null;
        if (entry === null || !(entry in exportsField)) {
          problems.push(`${doc}: imports "${from}", not one of package.json's exports`);
          continue;
        }
        const module = (await import(join(ROOT, "src", entry, "index.ts"))) as Record<
          string,
          unknown
        >;
        for (const name of names)
          if (!(name in module)) problems.push(`${doc}: ${from} has no export ${name}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
