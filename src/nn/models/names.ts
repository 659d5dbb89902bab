/**
 * The model zoo's names, as a static list: plans, recipes and flags validate against it
 * without loading the models' code. index.ts maps each name to its definition; the type
 * makes a name without a definition (or the reverse) a compile error.
 */
export const MODEL_NAMES = [
  "smallcnn",
  "resnet18",
  "resnet50",
  "mediumcnn",
  "vgg16",
  "vgg19",
  "resnet152",
  "mobilenet",
  "densenet121",
  "densenet201",
  "xception",
  "inceptionv3",
  "efficientnetb0",
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function modelNames(): string[] {
  return [...MODEL_NAMES];
}
