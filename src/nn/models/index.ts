/**
 * The model zoo: every model, with the facts other layers read (its descriptor) and how to
 * build it. Adding one is one file exporting the model and its ZooModel, and its line in ZOO.
 */

import type { ModelDescriptor } from "../../contract/model-descriptor.js";
import { RESNET50_MODEL, RESNET152_MODEL } from "./bottleneck-resnet.js";
import { DENSENET121_MODEL, DENSENET201_MODEL } from "./densenet.js";
import { EFFICIENTNETB0_MODEL } from "./efficientnet.js";
import { INCEPTIONV3_MODEL } from "./inception-v3.js";
import { MEDIUMCNN_MODEL } from "./medium-cnn.js";
import { MOBILENET_MODEL } from "./mobilenet.js";
import type { Model, ModelOptions, ZooModel } from "./model.js";
import { RESNET18_MODEL } from "./resnet-cifar.js";
import { SMALLCNN_MODEL } from "./small-cnn.js";
import { VGG16_MODEL, VGG19_MODEL } from "./vgg.js";
import { XCEPTION_MODEL } from "./xception.js";

/** The zoo, in the order help texts list it. */
const ZOO: readonly ZooModel[] = [
  SMALLCNN_MODEL,
  RESNET18_MODEL,
  RESNET50_MODEL,
  MEDIUMCNN_MODEL,
  VGG16_MODEL,
  VGG19_MODEL,
  RESNET152_MODEL,
  MOBILENET_MODEL,
  DENSENET121_MODEL,
  DENSENET201_MODEL,
  XCEPTION_MODEL,
  INCEPTIONV3_MODEL,
  EFFICIENTNETB0_MODEL,
];

const REGISTRY = new Map<string, ZooModel>(ZOO.map((model) => [model.descriptor.name, model]));

export function modelNames(): string[] {
  return ZOO.map((model) => model.descriptor.name);
}

/** Every zoo model's descriptor, in the zoo's order. */
export function zooDescriptors(): ModelDescriptor[] {
  return ZOO.map((model) => model.descriptor);
}

/** The descriptor of a zoo model, or undefined for a name the zoo lacks. */
export function findModelDescriptor(name: string): ModelDescriptor | undefined {
  return REGISTRY.get(name)?.descriptor;
}

function zooModel(name: string): ZooModel {
  const model = REGISTRY.get(name);
  if (model === undefined) {
    throw new Error(`unknown model '${name}': known models are ${modelNames().join(", ")}`);
  }
  return model;
}

/** The descriptor of a zoo model; throws an Error naming the known ones for another name. */
export function modelDescriptor(name: string): ModelDescriptor {
  return zooModel(name).descriptor;
}

/**
 * Builds a model by name, then moves it to the requested device and memory layout. Weights
 * are drawn on the CPU, so a seed gives the same initial weights on every device.
 */
export function createModel(name: string, options: ModelOptions): Model {
  const model = zooModel(name).create(options);
  if (options.device !== undefined && options.device !== "cpu") model.toDevice(options.device);
  if (model.memoryFormat !== "contiguous") {
    model.toMemoryFormat(model.memoryFormat, options.layoutStrides ?? "canonical");
  }
  return model;
}

export { BottleneckResNet, type BottleneckResNetName } from "./bottleneck-resnet.js";
export { DenseNet, type DenseNetName } from "./densenet.js";
export { EfficientNetB0 } from "./efficientnet.js";
export { INCEPTION_V3_MIN_SIZE, InceptionV3 } from "./inception-v3.js";
export { MediumCNN } from "./medium-cnn.js";
export { MobileNet } from "./mobilenet.js";
export { type Head, type InputShape, Model, type ModelOptions, type ZooModel } from "./model.js";
export { ResNet18Cifar } from "./resnet-cifar.js";
export { SmallCNN } from "./small-cnn.js";
export { VGG, type VggName } from "./vgg.js";
export { Xception } from "./xception.js";
