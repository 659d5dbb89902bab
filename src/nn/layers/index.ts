/** Layers: each a Module with PyTorch's parameter names and Keras's default initialisation. */
export { Dropout, Flatten, ReLU } from "./activation.js";
export {
  BatchNorm2d,
  type BatchNormConfig,
  KERAS_BATCH_NORM,
  TORCH_BATCH_NORM,
} from "./batchnorm.js";
export { Conv2d, type Conv2dConfig, samePadding } from "./conv.js";
export { Linear, type LinearConfig } from "./linear.js";
export { AvgPool2d, GlobalAvgPool, MaxPool2d } from "./pooling.js";
export { BasicBlock, type BlockClass, type BlockConfig, Bottleneck } from "./residual.js";
export { Sequential } from "./sequential.js";
