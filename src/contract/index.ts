/**
 * The run contract every stage reads: the noise sources and settings (one table), the model
 * descriptor (a model's own facts), run.json's record and its reader, and the task kinds.
 */
export * from "./model-descriptor.js";
export * from "./noise-sources.js";
export * from "./run-record.js";
export type { TaskKind } from "./task.js";
