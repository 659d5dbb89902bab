import { readFileSync } from "node:fs";
import { loggedValidationAccuracy } from "./log-csv.js";
import { type ParsedRows, readIntegerRows } from "./text-arrays.js";
import type {
  GroupDescriptor,
  Layout,
  PoolMembership,
  Problem,
  RunFolder,
  TaskKind,
} from "./types.js";

export interface LoadedRun {
  dir: string;
  replicate: string;
  membership: PoolMembership | undefined;
  /** examples × attributes values (attributes = 1 for single-label tasks). */
  predictions: Int32Array;
  loggedAccuracy: number | undefined;
  checkpointFile: string | undefined;
  /** run.json's hash, only when the chosen epoch is the run's final one. */
  weightsSha256: string | undefined;
  context: RunFolder["context"];
}

/** The runs of one group, at one epoch, checked to share one test set. */
export interface GroupData {
  descriptor: GroupDescriptor;
  layout: Layout;
  epoch: number;
  kind: TaskKind;
  examples: number;
  /** Values per example: 1 for multiclass, the attribute count for multi-label. */
  attributes: number;
  classes: number;
  /** Class names (multiclass) or attribute names (multi-label), when known. */
  names: string[] | undefined;
  labels: Int32Array | undefined;
  labelsFile: string | undefined;
  runs: LoadedRun[];
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/**
 * Names for a multi-label task's attributes when its runs record none (the original's
 * layout): the ones given to the analysis if they fit, else attr0, attr1, … (reported).
 */
function attributeNamesFor(
  kind: TaskKind,
  width: number,
  given: readonly string[] | undefined,
  dir: string,
  problems: Problem[],
): string[] | undefined {
  if (kind !== "multilabel") return undefined;
  if (given !== undefined && given.length === width) return [...given];
  const message =
    given === undefined
      ? `multi-label predictions with no attribute names: called attr0…attr${width - 1}; pass --attribute-names to choose subgroups by name`
      : `--attribute-names gives ${given.length} names, the predictions have ${width} attributes; called attr0…attr${width - 1}`;
  problems.push({ path: dir, message, effect: "warning" });
  return Array.from({ length: width }, (_, i) => `attr${i}`);
}

/** Reports a run left out of its group. */
type Exclude = (path: string, message: string) => void;

/** The test set every run must share: the labels most runs agree on, read once. */
interface ReferenceLabels {
  /** Each labels file's text. */
  texts: Map<string, string>;
  text: string | undefined;
  file: string | undefined;
  labels: ParsedRows | undefined;
}

function referenceLabels(folders: readonly RunFolder[], problems: Problem[]): ReferenceLabels {
  const texts = new Map<string, string>();
  for (const folder of folders) {
    if (folder.labelsFile !== undefined && !texts.has(folder.labelsFile)) {
      texts.set(folder.labelsFile, readFileSync(folder.labelsFile, "utf8"));
    }
  }
  const text = mostCommon(
    folders.flatMap((folder) => (folder.labelsFile ? [texts.get(folder.labelsFile)!] : [])),
  );
  const file = folders.find(
    (folder) => folder.labelsFile && texts.get(folder.labelsFile) === text,
  )?.labelsFile;
  let labels: ParsedRows | undefined;
  if (file !== undefined) {
    try {
      labels = readIntegerRows(file);
    } catch (error) {
      problems.push({ path: file, message: (error as Error).message, effect: "warning" });
    }
  }
  return { texts, text, file, labels };
}

/** The runs with readable predictions at `epoch` on the reference test set. */
function readPredictions(
  folders: readonly RunFolder[],
  epoch: number,
  reference: ReferenceLabels,
  exclude: Exclude,
): { folder: RunFolder; rows: ParsedRows }[] {
  const candidates: { folder: RunFolder; rows: ParsedRows }[] = [];
  for (const folder of folders) {
    const file = folder.predictionFiles.get(epoch);
    if (file === undefined) {
      const reached = Math.max(0, ...folder.predictionFiles.keys());
      exclude(folder.dir, `no pred${epoch}.txt (its latest predictions are for epoch ${reached})`);
      continue;
    }
    const labelsFile = folder.labelsFile;
    if (reference.labels && labelsFile && reference.texts.get(labelsFile) !== reference.text) {
      exclude(folder.dir, `test-labels.txt differs from the other runs' (a different test set)`);
      continue;
    }
    try {
      candidates.push({ folder, rows: readIntegerRows(file) });
    } catch (error) {
      exclude(folder.dir, (error as Error).message);
    }
  }
  return candidates;
}

function loadedRun(folder: RunFolder, rows: ParsedRows, epoch: number): LoadedRun {
  return {
    dir: folder.dir,
    replicate: folder.replicate,
    membership: folder.membership,
    predictions: rows.values,
    loggedAccuracy: folder.logFile
      ? loggedValidationAccuracy(folder.logFile, epoch - folder.logEpochShift)
      : undefined,
    checkpointFile: folder.checkpointFiles.get(epoch),
    weightsSha256: folder.finalEpoch === epoch ? folder.finalWeightsSha256 : undefined,
    context: folder.context,
  };
}

/** The runs whose predictions have the test set's shape; the others excluded. */
function runsOfShape(
  candidates: readonly { folder: RunFolder; rows: ParsedRows }[],
  epoch: number,
  shape: { examples: number; width: number },
  exclude: Exclude,
): LoadedRun[] {
  const { examples, width } = shape;
  const runs: LoadedRun[] = [];
  for (const { folder, rows } of candidates) {
    const file = folder.predictionFiles.get(epoch)!;
    if (rows.examples !== examples || rows.width !== width) {
      const hint = rows.examples < examples ? " (truncated?)" : "";
      exclude(
        folder.dir,
        `${file} has ${rows.examples} predictions of ${rows.width} value(s), the test set has ${examples} of ${width}${hint}`,
      );
      continue;
    }
    runs.push(loadedRun(folder, rows, epoch));
  }
  return runs;
}

/** Class count: what run.json says, widened if any label or prediction exceeds it. */
function classCount(
  kind: TaskKind,
  width: number,
  recorded: number | undefined,
  runs: readonly LoadedRun[],
  labels: Int32Array | undefined,
): number {
  let classes = width > 1 ? 2 : (recorded ?? 0);
  if (kind === "multiclass") {
    for (const run of runs)
      for (const value of run.predictions) classes = Math.max(classes, value + 1);
    for (const value of labels ?? []) classes = Math.max(classes, value + 1);
  }
  return classes;
}

/**
 * Loads the predictions of a group's runs at `epochOption` (default: the latest epoch any
 * run reached). Runs without that epoch, with unreadable or truncated predictions, or
 * with a test set that differs from the group's, are left out and reported.
 */
export function loadGroup(
  folders: readonly RunFolder[],
  epochOption: number | undefined,
  problems: Problem[],
  attributeNames?: readonly string[],
): GroupData | undefined {
  const first = folders[0]!;
  const exclude: Exclude = (path, message) => problems.push({ path, message, effect: "excluded" });
  const epochs = folders.flatMap((folder) => [...folder.predictionFiles.keys()]);
  const epoch = epochOption ?? Math.max(...epochs);
  if (epochs.length === 0) {
    for (const folder of folders) exclude(folder.dir, "no pred{epoch}.txt files");
    return undefined;
  }
  const reference = referenceLabels(folders, problems);
  const candidates = readPredictions(folders, epoch, reference, exclude);
  if (candidates.length === 0) return undefined;

  const labels = reference.labels;
  const width = labels?.width ?? mostCommon(candidates.map(({ rows }) => rows.width))!;
  const examples =
    labels?.examples ??
    first.testExamples ??
    mostCommon(candidates.map(({ rows }) => rows.examples))!;
  const runs = runsOfShape(candidates, epoch, { examples, width }, exclude);
  if (runs.length === 0) return undefined;

  const kind: TaskKind = first.kind ?? (width > 1 ? "multilabel" : "multiclass");
  const names =
    first.classNames ?? attributeNamesFor(kind, width, attributeNames, first.dir, problems);
  return {
    descriptor: first.descriptor,
    layout: first.layout,
    epoch,
    kind,
    examples,
    attributes: width,
    classes: classCount(kind, width, first.classes, runs, labels?.values),
    names,
    labels: labels?.values,
    labelsFile: reference.file,
    runs,
  };
}
