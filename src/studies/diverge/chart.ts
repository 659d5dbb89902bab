import type { TopLevelSpec } from "vega-lite";
import type { DistanceAtStep } from "./diverge.js";

/** Distance between two runs' parameters against the optimizer step, both on log scales. */
export function distanceChart(distances: readonly DistanceAtStep[], title: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 480,
    height: 280,
    data: {
      values: distances
        .filter((d) => d.total > 0)
        .map((d) => ({ step: d.step, distance: d.total })),
    },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative", scale: { type: "log" }, title: "optimizer step" },
      y: {
        field: "distance",
        type: "quantitative",
        scale: { type: "log" },
        title: "L2 distance of all parameters",
      },
    },
  };
}
