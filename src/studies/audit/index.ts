/** The kernel audit: which ops give different bits run to run, and across thread counts. */

export { graphInputShape } from "../onnx-input.js";
export {
  auditModel,
  changedEntries,
  type ModelAudit,
  type ModelAuditEntry,
  type ModelAuditSettings,
  modelAuditRows,
  modelAuditSummary,
} from "./model-audit.js";
export { AUDIT_OPS, type AuditOp, type AuditScale } from "./ops.js";
export {
  compareRepeats,
  type Results,
  restoringDeterminism,
  type ThreadComparison,
} from "./repeats.js";
export { type AuditRow, type AuditSettings, auditOp, DEFAULT_AUDIT, runAudit } from "./run.js";
export { AUDIT_COLUMNS, auditCsv, auditTable } from "./table.js";
export {
  type BitComparison,
  combine,
  compareFloat32,
  orderedFloat32,
  ulpDistance,
} from "./ulp.js";
