import type { AnalysisResult } from "../analysis/result-types.js";
import {
  escapeHtml,
  percent,
  pValue,
  ratio,
  settingName,
  weightSets,
  withInterval,
} from "./format.js";

export interface RenderedChart {
  name: string;
  title: string;
  svg: string;
}

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
.muted { color: #666; font-size: 0.85em; }
`;

function table(header: string[], rows: string[][], numeric: number[] = []): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map(
            (cell, i) => `<td${numeric.includes(i) ? ' class="num"' : ""}>${escapeHtml(cell)}</td>`,
          )
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function summaryTable(result: AnalysisResult): string {
  const rows = result.groups.map((group) => [
    group.label,
    settingName(group.setting),
    String(group.runs.length),
    String(group.epoch),
    percent(group.accuracy?.mean),
    withInterval(group.accuracy?.stdSample, 3),
    percent(group.accuracy?.stdPopulation.value, 3),
    withInterval(group.churn),
    group.l2 ? group.l2.value.toPrecision(4) : "–",
    group.perClass ? ratio(group.perClass.ratioToTop1) : "–",
    withInterval(group.instability.mean),
    group.identity.identical === null ? "unknown" : group.identity.identical ? "yes" : "no",
  ]);
  return table(
    [
      "group",
      "setting",
      "runs",
      "epoch",
      "accuracy",
      "std (sample) [95% CI]",
      "std (population)",
      "churn [95% CI]",
      "L2",
      "per-class std / top-1 std",
      "mean instability",
      "bit-identical",
    ],
    rows,
    [2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
}

function comparisonTable(result: AnalysisResult): string {
  if (result.comparisons.length === 0)
    return "<p>No two settings of one model and dataset to compare.</p>";
  const rows = result.comparisons.map((comparison) => [
    `${comparison.a} vs ${comparison.b}`,
    `${comparison.runsA} / ${comparison.runsB}`,
    comparison.accuracyStdRatio
      ? `${ratio(comparison.accuracyStdRatio.value)} [${ratio(comparison.accuracyStdRatio.low)}, ${ratio(comparison.accuracyStdRatio.high)}]`
      : "–",
    comparison.accuracySpreadTest ? pValue(comparison.accuracySpreadTest.pValue) : "–",
    withInterval(comparison.churnDifference),
    pValue(comparison.churnDifference.pValue),
  ]);
  return table(
    [
      "comparison",
      "runs",
      "std ratio [95% CI]",
      "Brown–Forsythe",
      "churn difference [95% CI]",
      "bootstrap",
    ],
    rows,
  );
}

/** For each pool (the tooling study): every field changed alone, and every member's result. */
function poolSection(result: AnalysisResult): string {
  const pools = result.groups.filter((group) => group.poolEffects);
  if (pools.length === 0) return "";
  const sections = pools.map((group) => {
    const effects = table(
      ["field changed alone", "pairs", "pairs with different weights", "mean churn between them"],
      group.poolEffects!.map((effect) => [
        effect.field,
        String(effect.pairs),
        effect.pairsWithDifferentWeights === null
          ? "unknown"
          : String(effect.pairsWithDifferentWeights),
        percent(effect.meanChurn),
      ]),
      [1, 2, 3],
    );
    // Members with the same final weights share a letter: A, B, … in order of appearance.
    const setOf = weightSets(group.runs.map((run) => run.weightsSha256));
    const members = table(
      ["variant", "accuracy", "weights"],
      group.runs.map((run, i) => {
        const set = setOf[i];
        return [
          run.variant === "" ? "(reference)" : (run.variant ?? run.replicate),
          percent(group.accuracy?.perRun[i]),
          set === undefined
            ? "unknown"
            : `${String.fromCharCode(65 + (set % 26))} (${run.weightsSha256!.slice(0, 12)})`,
        ];
      }),
      [1],
    );
    return `<h3>${escapeHtml(group.label)}</h3>\n${effects}\n${members}`;
  });
  return `<h2>What the tooling changes</h2>
<p class="muted">Runs of a pool differ only in the fields named by their variant; a pair that differs in one field alone shows what that field does. Members marked with the same letter ended with bit-identical weights.</p>
${sections.join("\n")}`;
}

/** A self-contained page: inline SVG charts, inline CSS, no scripts, fonts or links. */
export function reportHtml(
  result: AnalysisResult,
  charts: readonly RenderedChart[],
  sentences: readonly string[],
): string {
  const figures = charts
    .map(
      (chart) =>
        `<figure data-chart="${escapeHtml(chart.name)}"><figcaption>${escapeHtml(chart.title)}</figcaption>\n${chart.svg}\n</figure>`,
    )
    .join("\n");
  const problems =
    result.problems.length === 0
      ? "<p>None: every run folder found was used.</p>"
      : table(
          ["path", "problem", "effect"],
          result.problems.map((problem) => [problem.path, problem.message, problem.effect]),
        );
  const notes = result.groups.flatMap((group) => group.notes.map((note) => [group.label, note]));
  const overhead = result.overhead
    ? table(
        [
          "model",
          "device",
          "threads",
          "batch",
          "iterations",
          "default ms",
          "deterministic ms",
          "overhead",
        ],
        result.overhead.map((row) => [
          row.model,
          row.device,
          String(row.threads),
          String(row.batchSize),
          String(row.iterations),
          row.defaultMs.toFixed(1),
          row.deterministicMs.toFixed(1),
          ratio(row.overhead),
        ]),
        [2, 3, 4, 5, 6, 7],
      )
    : "";
  const { settings } = result;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nnr report: ${escapeHtml(result.dir)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Randomness in training: ${escapeHtml(result.dir)}</h1>
<p class="muted">Epoch ${settings.epoch ?? "latest"}; ${settings.level * 100}% percentile bootstrap intervals over runs, ${settings.resamples} resamples, seed ${settings.seed}. "std (sample)" divides by n − 1; "std (population)" by n, as numpy and the original code did.</p>
<h2>Findings</h2>
<ul>
${sentences.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join("\n")}
</ul>
<h2>Summary</h2>
${summaryTable(result)}
<h2>Do the settings differ?</h2>
${comparisonTable(result)}
${poolSection(result)}
<h2>Charts</h2>
${figures}
${overhead ? `<h2>Determinism overhead</h2>\n${overhead}` : ""}
<h2>Problems with the input</h2>
${problems}
${notes.length > 0 ? `<h2>Notes</h2>\n${table(["group", "note"], notes)}` : ""}
</body>
</html>
`;
}
