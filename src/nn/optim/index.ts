export {
  Adam,
  type AdamHyperparameters,
  type AdamOptions,
  type AdamParameterState,
  adamUpdate,
} from "./adam.js";
export {
  GRAD_SCALER_DEFAULTS,
  GradScaler,
  type GradScalerOptions,
  type GradScalerState,
} from "./grad-scaler.js";
export { Optimizer, type OptimizerState } from "./optimizer.js";
export { SGD, type SgdHyperparameters, type SgdOptions, sgdUpdate } from "./sgd.js";
