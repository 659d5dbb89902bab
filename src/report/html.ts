import { basename } from "node:path";
import type { AnalysisResult } from "../analysis/index.js";
import { silenceNotes } from "./findings.js";
import { escapeHtml, levelText, ratio } from "./format.js";
import { headline } from "./headline.js";
import {
  comparisonTable,
  contextTable,
  hypothesesTable,
  poolSection,
  runsNeededTable,
  summaryTable,
  table,
  varianceTable,
} from "./html-tables.js";
import { firstScreenWarnings } from "./warnings.js";

export interface RenderedChart {
  name: string;
  title: string;
  svg: string;
}

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { font-size: 1em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
.muted { color: #666; font-size: 0.85em; }
.notice { border-left: 4px solid #c90; background: #fdf6e3; padding: 0.4em 0.8em; }
`;

function methodNote(result: AnalysisResult): string {
  const { settings } = result;
  const level = levelText(settings.level);
  const alpha = settings.alpha ?? 1 - settings.level;
  return `Epoch: ${settings.epoch ?? "the latest each group reached"}. Intervals are ${level}: χ² for a std (and a variance), F for a ratio of stds, t for a mean, and the jackknife over runs for churn and L2 (their pairs share runs); intervals of fractions (accuracy, churn, FPR/FNR) are made on the logit scale, so they stay inside 0–100 %, and ", bounded by 100%" (or 0%) marks one the range shaped. Spreads of identical runs are exactly 0 and carry no interval, ratio or test. p-values are from permutation tests over runs (exact when there are at most 20,000 relabellings, else ${settings.resamples} seeded Monte Carlo draws, seed ${settings.seed}) or, for "the same order" (within ${settings.equivalenceMargin ?? 3}×), two one-sided F tests; the declared hypotheses' tests and those of the pairs they cover are Holm-corrected together at α = ${Number(alpha.toFixed(4))}, and the exploratory pairs (every other pair of settings, and groups that differ in one config field) among themselves. A test these runs cannot make reach α is not run: it says "too few runs to tell" and how many would do. "std (sample)" divides by n − 1; "std (population)" by n, as numpy and the original code did.`;
}

function headlineList(result: AnalysisResult): string {
  const sentences = headline(result);
  if (sentences.length === 0) return "";
  return `<h2>In short</h2>\n<ul class="headline">\n${sentences.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join("\n")}\n</ul>`;
}

const figure = (chart: RenderedChart) =>
  `<figure data-chart="${escapeHtml(chart.name)}"><figcaption>${escapeHtml(chart.title)}</figcaption>\n${chart.svg}\n</figure>`;

/** Every run as a point sits on the first screen, beside the findings; the rest below. */
function figures(charts: readonly RenderedChart[]): { runs: string; rest: string } {
  const runsChart = charts.find((chart) => chart.name === "runs");
  return {
    runs: runsChart ? figure(runsChart) : "",
    rest: charts
      .filter((chart) => chart !== runsChart)
      .map(figure)
      .join("\n"),
  };
}

function problemsTable(result: AnalysisResult): string {
  if (result.problems.length === 0) return "<p>None: every run folder found was used.</p>";
  return table(
    ["path", "problem", "effect"],
    result.problems.map((problem) => [problem.path, problem.message, problem.effect]),
  );
}

function overheadTable(result: AnalysisResult): string {
  if (!result.overhead) return "";
  return table(
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
  );
}

function varianceSection(result: AnalysisResult): string {
  if (!result.varianceAccounting || result.varianceAccounting.length === 0) return "";
  return `<h2>Variance by source</h2>\n<p class="muted">Each setting leaves one set of noise sources free (Bouthillier et al., MLSys 2021). Beside each observed variance, the variance independent per-example errors would give, Σ p_i(1 − p_i)/N² (Jordan, ICLR 2024): a ratio near 1 means the run-to-run spread is what test-set sampling of each example's outcome gives; above 1 is more than that.</p>\n${varianceTable(result)}`;
}

function notesSection(result: AnalysisResult): string {
  const notes = result.groups.flatMap((group) => group.notes.map((note) => [group.label, note]));
  return notes.length > 0 ? `<h2>Notes</h2>\n${table(["group", "note"], notes)}` : "";
}

/** The first screen's notices: warnings about the runs, and why a setting is silent. */
const notices = (result: AnalysisResult) =>
  [...firstScreenWarnings(result), ...silenceNotes(result)]
    .map((note) => `<p class="notice">${escapeHtml(note)}</p>`)
    .join("\n");

/** A self-contained page: inline SVG charts, inline CSS, no scripts, fonts or links. */
export function reportHtml(
  result: AnalysisResult,
  charts: readonly RenderedChart[],
  sentences: readonly string[],
): string {
  const { runs: runsFigure, rest: restFigures } = figures(charts);
  const overhead = overheadTable(result);
  const name = escapeHtml(basename(result.dir));
  const groups = result.groups.length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nnr report: ${name}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Randomness in training: ${name}</h1>
<p class="muted">${escapeHtml(result.dir)} · ${groups} group${groups === 1 ? "" : "s"} of runs</p>
${notices(result)}
${headlineList(result)}
<h2>The seed paper's claims</h2>
${hypothesesTable(result)}
${runsFigure}
${groups > 0 ? `<h2>What the runs ran on</h2>\n${contextTable(result)}` : ""}
<h2>Findings</h2>
<ul>
${sentences.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join("\n")}
</ul>
<p class="muted">${escapeHtml(methodNote(result))}</p>
${varianceSection(result)}
${groups > 0 ? `<h2>How many runs</h2>\n${runsNeededTable(result)}` : ""}
<h2>Summary</h2>
${summaryTable(result)}
<h2>Do the settings differ?</h2>
${comparisonTable(result)}
${poolSection(result)}
<h2>Charts</h2>
${restFigures}
${overhead ? `<h2>Determinism overhead</h2>\n${overhead}` : ""}
<h2>Problems with the input</h2>
${problemsTable(result)}
${notesSection(result)}
</body>
</html>
`;
}
