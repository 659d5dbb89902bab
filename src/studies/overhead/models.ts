/**
 * The overhead study's model list: registry names, plus `mediumcnn-k{N}` for MediumCNN with
 * kernel size N (the study measures k = 1, 3, 5, 7).
 */
import { modelNames } from "../../nn/models/names.js";

/** A model of the study: the registry name and the options that select its variant. */
export interface StudyModel {
  /** As written in the CSV and on the command line, e.g. "mediumcnn-k3" or "resnet50". */
  label: string;
  name: string;
  kernelSize?: number;
}

/** The original's list; models the zoo lacks are left out by {@link defaultStudyModels}. */
export const STUDY_MODELS = [
  "mediumcnn-k1",
  "mediumcnn-k3",
  "mediumcnn-k5",
  "mediumcnn-k7",
  "vgg16",
  "vgg19",
  "resnet50",
  "resnet152",
  "densenet121",
  "densenet201",
  "inceptionv3",
  "xception",
  "mobilenet",
  "efficientnetb0",
] as const;

const MEDIUM = /^mediumcnn-k(\d+)$/;

/** Parses one label; throws an Error naming the label and the known ones when unknown. */
export function parseStudyModel(label: string): StudyModel {
  const medium = MEDIUM.exec(label);
  if (medium !== null) {
    const kernelSize = Number(medium[1]);
    if (kernelSize >= 1) return { label, name: "mediumcnn", kernelSize };
  }
  if (label !== "mediumcnn" && modelNames().includes(label)) return { label, name: label };
  if (label === "mediumcnn") return { label: "mediumcnn-k3", name: "mediumcnn", kernelSize: 3 };
  const known = [...new Set([...modelNames().filter((n) => n !== "mediumcnn"), "mediumcnn-kN"])];
  throw new Error(`unknown model '${label}': known models are ${known.join(", ")}`);
}

/** The study's models that the zoo has. */
export function defaultStudyModels(): StudyModel[] {
  const available = new Set(modelNames());
  return STUDY_MODELS.filter((label) => label.startsWith("mediumcnn-") || available.has(label)).map(
    parseStudyModel,
  );
}
