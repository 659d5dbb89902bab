export { distanceChart } from "./chart.js";
export {
  type DistanceAtStep,
  type Divergence,
  distance,
  diverge,
  type FirstDivergence,
  firstDivergence,
} from "./diverge.js";
export { readTrace, snapshotSteps } from "./trace-files.js";
