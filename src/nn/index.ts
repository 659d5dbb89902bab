/** nnr's neural-network library: modules and layers, initialisers, losses, optimizers,
 * learning-rate schedules, the model zoo and checkpoints. */
export * from "./checkpoint.js";
export * from "./init.js";
export * from "./layers/index.js";
export * from "./losses.js";
export * from "./models/index.js";
export { type ModelMemoryFormat, Module } from "./module.js";
export * from "./optim/index.js";
export * from "./schedules.js";
