import { type AnalysisResult, CONTEXT_FIELDS, type GroupResult } from "../analysis/index.js";
import {
  escapeHtml,
  levelText,
  percent,
  pValue,
  ratio,
  ratioWithInterval,
  shortLabels,
  signedPoints,
  spread,
  weightSets,
  withInterval,
} from "./format.js";

export function table(header: string[], rows: string[][], numeric: number[] = []): string {
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

/** What the runs ran on, one column per group; a field no run records says so. */
export function contextTable(result: AnalysisResult): string {
  const labels = shortLabels(result.groups);
  const rows = CONTEXT_FIELDS.map(({ key, title }) => [
    title,
    ...result.groups.map((group) => group.context[key] ?? "not recorded"),
  ]);
  rows.push(["epoch analysed", ...result.groups.map((group) => String(group.epoch))]);
  rows.push(["test examples", ...result.groups.map((group) => String(group.examples))]);
  return table(["", ...result.groups.map((group) => labels.get(group.label)!)], rows);
}

export function hypothesesTable(result: AnalysisResult): string {
  const hypotheses = result.hypotheses ?? [];
  if (hypotheses.length === 0) {
    return "<p>No family holds the settings the declared hypotheses compare (ALGO, IMPL, ALGO+IMPL, Control).</p>";
  }
  const rows = hypotheses.map((hypothesis) => {
    const comparison = result.comparisons.find(
      (c) => c.a === hypothesis.a && c.b === hypothesis.b && c.familyKey === hypothesis.familyKey,
    );
    const measured = comparison?.accuracyStdRatio
      ? ratioWithInterval(comparison.accuracyStdRatio)
      : (comparison?.noRatio ?? "–");
    return [
      hypothesis.claim,
      measured,
      hypothesis.test,
      hypothesis.pValue === null ? "–" : pValue(hypothesis.pValue),
      hypothesis.pHolm === null ? "–" : pValue(hypothesis.pHolm),
      hypothesis.verdict,
      hypothesis.verdict === "too few runs to tell" || hypothesis.verdict === "exact"
        ? hypothesis.statement
        : "",
    ];
  });
  return table(
    [
      "claim",
      `σ ratio [${levelText(result.settings.level)} F interval]`,
      "test",
      "p",
      "Holm p",
      "verdict",
      "why",
    ],
    rows,
  );
}

/** Variance by source (Bouthillier et al.) with Jordan's independent-errors prediction beside it. */
export function varianceTable(result: AnalysisResult): string {
  const labels = shortLabels(result.groups);
  const level = levelText(result.settings.level);
  return (result.varianceAccounting ?? [])
    .map((family) => {
      const rows = family.sources.map((source) => {
        const group = result.groups.find((g) => g.label === source.group)!;
        const std = Math.sqrt(source.variance.value);
        return [
          source.source,
          labels.get(source.group)!,
          String(source.runs),
          group.identicalRuns ? spread(source.variance, group) : `${percent(std, 3)}`,
          group.identicalRuns
            ? "0"
            : `${(source.variance.value * 1e4).toPrecision(3)} ${source.variance.low === null ? "" : `[${(source.variance.low * 1e4).toPrecision(3)}, ${(source.variance.high! * 1e4).toPrecision(3)}]`}`,
          source.independentErrors === null
            ? "–"
            : source.independentErrors === 0
              ? "0"
              : (source.independentErrors * 1e4).toPrecision(3),
          source.observedOverIndependent ? ratioWithInterval(source.observedOverIndependent) : "–",
        ];
      });
      const sampling = family.testSetSampling;
      rows.push([
        "test-set sampling",
        `a fresh test set of ${sampling.examples}`,
        "–",
        percent(Math.sqrt(sampling.value), 3),
        `${(sampling.value * 1e4).toPrecision(3)} [${(sampling.low! * 1e4).toPrecision(3)}, ${(sampling.high! * 1e4).toPrecision(3)}]`,
        "–",
        "–",
      ]);
      const higher = family.higher.map(
        (h) =>
          `P(${labels.get(h.a)} run > ${labels.get(h.b)} run) = ${h.probability.toFixed(2)} over ${h.pairs} pairs`,
      );
      return `<h3>${escapeHtml(family.family)}</h3>
${table(
  [
    "source of variance",
    "setting",
    "runs",
    "std of accuracy",
    `variance (points², ${level} χ²)`,
    "independent-errors prediction (points²)",
    "observed / predicted",
  ],
  rows,
  [2, 3, 4, 5, 6],
)}
${higher.length > 0 ? `<p class="muted">${escapeHtml(higher.join("; "))} (descriptive: every cross pair of runs, ties counted one half).</p>` : ""}`;
    })
    .join("\n");
}

/** "How many runs": precision reached and runs needed, per headline metric. */
export function runsNeededTable(result: AnalysisResult): string {
  const labels = shortLabels(result.groups);
  const rows = result.groups.flatMap((group) =>
    group.runsNeeded.map((line) => {
      const unit = (x: number) =>
        line.kind === "relative" ? `±${(x * 100).toFixed(0)}%` : `±${(x * 100).toFixed(2)} points`;
      return [
        labels.get(group.label)!,
        line.metric,
        String(line.runs),
        line.reached === null
          ? group.identicalRuns
            ? "exact (identical runs)"
            : "–"
          : unit(line.reached),
        unit(line.target),
        line.needed === null ? "–" : `about ${line.needed}`,
      ];
    }),
  );
  return table(
    [
      "group",
      "metric",
      "runs",
      `precision now (${levelText(result.settings.level)})`,
      "target",
      "runs for the target",
    ],
    rows,
    [2, 5],
  );
}

export function summaryTable(result: AnalysisResult): string {
  const labels = shortLabels(result.groups);
  const level = levelText(result.settings.level);
  const rows = result.groups.map((group: GroupResult) => [
    labels.get(group.label)!,
    group.label,
    String(group.runs.length),
    withInterval(group.accuracy?.mean),
    spread(group.accuracy?.stdSample, group, 3),
    group.accuracy ? percent(group.accuracy.stdPopulation, 3) : "–",
    spread(group.churn, group),
    group.l2
      ? group.identicalRuns
        ? "0 (exact)"
        : `${group.l2.value.toPrecision(4)} ${group.l2.low === null ? "" : `[${group.l2.low.toPrecision(3)}, ${group.l2.high!.toPrecision(3)}]`}`
      : "–",
    group.perClass ? ratio(group.perClass.ratioToTop1) : "–",
    percent(group.instability.mean),
    group.identity.identical === null ? "unknown" : group.identity.identical ? "yes" : "no",
  ]);
  return table(
    [
      "setting",
      "group",
      "runs",
      `accuracy [${level} t]`,
      `std (sample) [${level} χ²]`,
      "std (population)",
      `churn [${level} jackknife]`,
      `L2 [${level} jackknife]`,
      "per-class std / top-1 std",
      "mean instability",
      "bit-identical",
    ],
    rows,
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
}

export function comparisonTable(result: AnalysisResult): string {
  if (result.comparisons.length === 0)
    return "<p>No two settings of one model and dataset to compare.</p>";
  const labels = shortLabels(result.groups);
  const level = levelText(result.settings.level);
  const test = (p: number | null | undefined, holm: number | null, exact: boolean | undefined) =>
    p === null || p === undefined
      ? "–"
      : `${pValue(p)} (Holm ${pValue(holm)}; ${exact ? "exact" : "Monte Carlo"})`;
  const identical = (label: string) =>
    result.groups.find((group) => group.label === label)?.identicalRuns != null;
  const rows = result.comparisons.map((comparison) => [
    `${labels.get(comparison.a)} vs ${labels.get(comparison.b)}${comparison.exploratory ? ` (exploratory: ${comparison.differsIn.join(", ")})` : ""}`,
    `${comparison.runsA} / ${comparison.runsB}`,
    comparison.accuracyStdRatio
      ? ratioWithInterval(comparison.accuracyStdRatio)
      : (comparison.noRatio ?? "–"),
    comparison.equivalence
      ? `TOST ${pValue(comparison.equivalence.pValue)}`
      : test(comparison.spreadTest?.pValue, comparison.holm.spread, comparison.spreadTest?.exact),
    withInterval(comparison.churnDifference),
    comparison.churnTest
      ? test(comparison.churnTest.pValue, comparison.holm.churn, comparison.churnTest.exact)
      : identical(comparison.a) || identical(comparison.b)
        ? "none: a setting's runs are identical"
        : comparison.runsNeededForTest !== null
          ? `too few runs to tell (needs ${comparison.runsNeededForTest} per setting)`
          : "–",
    comparison.probabilityAHigher === null ? "–" : comparison.probabilityAHigher.toFixed(2),
  ]);
  return table(
    [
      "comparison",
      "runs",
      `std ratio [${level} F]`,
      "spread test",
      `churn difference [${level} jackknife]`,
      "churn test (permutation over runs)",
      "P(a run of the first scores higher)",
    ],
    rows,
  );
}

/** For each pool (the tooling study): every field changed alone, and every member's result. */
export function poolSection(result: AnalysisResult): string {
  const pools = result.groups.filter((group) => group.poolEffects);
  if (pools.length === 0) return "";
  const sections = pools.map((group) => {
    const effects = table(
      [
        "field changed alone",
        "pairs",
        "pairs with different weights",
        "mean churn between them",
        "accuracy change",
        "training time",
      ],
      group.poolEffects!.map((effect) => [
        effect.field,
        String(effect.pairs),
        effect.pairsWithDifferentWeights === null
          ? "unknown"
          : String(effect.pairsWithDifferentWeights),
        percent(effect.meanChurn),
        signedPoints(effect.meanAccuracyChange),
        ratio(effect.timeRatio),
      ]),
      [1, 2, 3, 4, 5],
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
