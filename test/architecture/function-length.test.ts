/**
 * No function in src/ is over 80 lines: a longer one is a list of named steps (issue 29).
 * Counts every function, method, arrow function and accessor, nested ones too, from its
 * first line to its last, with the TypeScript parser.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");
const LIMIT = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const isFunctionLike = (node: ts.Node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

/** The name a reader would look for: the function's own, or the binding it is assigned to. */
function nameOf(node: ts.Node, binding: string | undefined): string {
  const named = node as ts.Node & { name?: ts.Node };
  return named.name?.getText() ?? binding ?? "(anonymous)";
}

function bindingName(node: ts.Node, outer: string | undefined): string | undefined {
  if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) return node.name.getText();
  if (ts.isPropertyAssignment(node)) return node.name.getText();
  return outer;
}

/** "file name (N lines)" for each function of one file over `limit` lines. */
function longFunctions(file: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line;
  const found: string[] = [];
  const visit = (node: ts.Node, binding: string | undefined) => {
    if (isFunctionLike(node)) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
      if (lines > limit) found.push(`${file} ${nameOf(node, binding)} (${lines} lines)`);
    }
    ts.forEachChild(node, (child) => visit(child, bindingName(node, binding)));
  };
  visit(source, undefined);
  return found;
}

describe("function length", () => {
  it(`no function in src/ is over ${LIMIT} lines`, () => {
    const found = sourceFiles(SRC).flatMap((path) =>
      longFunctions(relative(SRC, path), readFileSync(path, "utf8"), LIMIT),
    );
    expect(found).toEqual([]);
  });

  it("counts a function, a method and an arrow function from first line to last", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join("\n");
    const text = [
      `function long() {\n${body(79)}\n}`,
      `function short() {\n${body(78)}\n}`,
      `class C {\n  method() {\n${body(80)}\n  }\n}`,
      `const arrow = () => {\n${body(79)}\n};`,
    ].join("\n");
    expect(longFunctions("example.ts", text, LIMIT)).toEqual([
      "example.ts long (81 lines)",
      "example.ts method (82 lines)",
      "example.ts arrow (81 lines)",
    ]);
  });
});
