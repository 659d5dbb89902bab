/**
 * The model zoo: every model by name. Adding one is one file exporting the model, its name in
 * names.ts and its entry in DEFINITIONS below.
 */

import { BottleneckResNet } from "./bottleneck-resnet.js";
import { DenseNet } from "./densenet.js";
import { EfficientNetB0 } from "./efficientnet.js";
import { InceptionV3 } from "./inception-v3.js";
import { MediumCNN } from "./medium-cnn.js";
import { MobileNet } from "./mobilenet.js";
import type { Model, ModelOptions } from "./model.js";
import { MODEL_NAMES, type ModelName, modelNames } from "./names.js";
import { ResNet18Cifar } from "./resnet-cifar.js";
import { SmallCNN } from "./small-cnn.js";
import { VGG } from "./vgg.js";
import { Xception } from "./xception.js";

export interface ModelDefinition {
  name: string;
  description: string;
  /** Builds the model, initialised from options.generator, in options.memoryFormat. */
  create(options: ModelOptions): Model;
}

const DEFINITIONS: Record<ModelName, Omit<ModelDefinition, "name">> = {
  smallcnn: {
    description: "SmallCNN (CIFAR): 3 conv blocks (16, 32, 32), optional BatchNorm, GAP, Dense 32",
    create: (options) => new SmallCNN(options),
  },
  resnet18: {
    description: "ResNet18, CIFAR variant (3×3 stem, no max-pool); softmax or sigmoid head",
    create: (options) => new ResNet18Cifar(options),
  },
  resnet50: {
    description: "ResNet50 (ImageNet, v1.5, torchvision layout)",
    create: (options) => new BottleneckResNet("resnet50", options),
  },
  mediumcnn: {
    description: "MediumCNN(k): 6 conv k×k blocks with BatchNorm, GAP, Dense 1000",
    create: (options) => new MediumCNN(options),
  },
  vgg16: {
    description: "VGG16 (Keras applications)",
    create: (options) => new VGG("vgg16", options),
  },
  vgg19: {
    description: "VGG19 (Keras applications)",
    create: (options) => new VGG("vgg19", options),
  },
  resnet152: {
    description: "ResNet152 (ImageNet, v1.5, torchvision layout)",
    create: (options) => new BottleneckResNet("resnet152", options),
  },
  mobilenet: {
    description: "MobileNet v1, alpha 1 (Keras applications)",
    create: (options) => new MobileNet(options),
  },
  densenet121: {
    description: "DenseNet121 (Keras applications, torchvision names)",
    create: (options) => new DenseNet("densenet121", options),
  },
  densenet201: {
    description: "DenseNet201 (Keras applications, torchvision names)",
    create: (options) => new DenseNet("densenet201", options),
  },
  xception: {
    description: "Xception (Keras applications; 299×299 inputs by default)",
    create: (options) => new Xception(options),
  },
  inceptionv3: {
    description: "InceptionV3 (Keras applications, torchvision names; 299×299 inputs by default)",
    create: (options) => new InceptionV3(options),
  },
  efficientnetb0: {
    description: "EfficientNetB0 (Keras applications, without its input normalisation)",
    create: (options) => new EfficientNetB0(options),
  },
};

const REGISTRY = new Map<string, ModelDefinition>(
  MODEL_NAMES.map((name) => [name, { name, ...DEFINITIONS[name] }]),
);

export { MODEL_NAMES, type ModelName, modelNames };

export function modelDefinition(name: string): ModelDefinition {
  const definition = REGISTRY.get(name);
  if (definition === undefined) {
    throw new Error(`unknown model '${name}': known models are ${modelNames().join(", ")}`);
  }
  return definition;
}

/**
 * Builds a model by name, then moves it to the requested device and memory layout. Weights
 * are drawn on the CPU, so a seed gives the same initial weights on every device.
 */
export function createModel(name: string, options: ModelOptions): Model {
  const model = modelDefinition(name).create(options);
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
export { type Head, type InputShape, Model, type ModelOptions } from "./model.js";
export { ResNet18Cifar } from "./resnet-cifar.js";
export { SmallCNN } from "./small-cnn.js";
export { VGG, type VggName } from "./vgg.js";
export { Xception } from "./xception.js";
