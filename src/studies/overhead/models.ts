/**
 * The overhead study's models, from the zoo's descriptors: each model in the study says its
 * place in the original's list, and a model that takes a kernel size is measured at each of
 * its listed sizes, labelled NAME-kN (the study measures MediumCNN at k = 1, 3, 5, 7). An
 * .onnx path is a model too: the user's graph, labelled by its path.
 */
import { basename } from "node:path";
import type { ModelDescriptor } from "../../contract/model-descriptor.js";
import { findModelDescriptor, zooDescriptors } from "../../nn/models/index.js";
import { isOnnxModelPath } from "../../train/imported-model.js";

/** A model of the study: the registry name and the options that select its variant. */
export interface StudyModel {
  /** As written in the CSV and on the command line, e.g. "mediumcnn-k3" or "resnet50". */
  label: string;
  name: string;
  kernelSize?: number;
  /** An ONNX file, measured with its own weights and input shape. */
  file?: string;
}

const KERNEL_LABEL = /^(.+)-k(\d+)$/;

const kernelVariant = (model: ModelDescriptor, kernelSize: number): StudyModel => ({
  label: `${model.name}-k${kernelSize}`,
  name: model.name,
  kernelSize,
});

/** Parses one label; throws an Error naming the label and the known ones when unknown. */
export function parseStudyModel(label: string): StudyModel {
  if (isOnnxModelPath(label)) return { label, name: basename(label), file: label };
  const sized = KERNEL_LABEL.exec(label);
  const sizedModel = sized === null ? undefined : findModelDescriptor(sized[1]!);
  if (sizedModel?.options.kernelSize && Number(sized![2]) >= 1) {
    return kernelVariant(sizedModel, Number(sized![2]));
  }
  const model = findModelDescriptor(label);
  if (model?.options.kernelSize) return kernelVariant(model, model.options.kernelSize.default);
  if (model !== undefined) return { label, name: label };
  const known = zooDescriptors().map((m) => (m.options.kernelSize ? `${m.name}-kN` : m.name));
  throw new Error(
    `unknown model '${label}': known models are ${known.join(", ")}, or an .onnx file`,
  );
}

/** The original's list, as far as the zoo has its models, in its order. */
export function defaultStudyModels(): StudyModel[] {
  return zooDescriptors()
    .filter((model) => model.overhead !== undefined)
    .sort((a, b) => a.overhead!.order - b.overhead!.order)
    .flatMap((model) =>
      model.options.kernelSize
        ? (model.overhead!.kernelSizes ?? [model.options.kernelSize.default]).map((k) =>
            kernelVariant(model, k),
          )
        : [{ label: model.name, name: model.name }],
    );
}
