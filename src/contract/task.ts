/** What a dataset's labels are: one class per example, or a set of binary attributes. */
export type TaskKind = "multiclass" | "multilabel";
