/**
 * The training setups of the original experiments (docs/original.md), as the pieces the
 * zoo's descriptors are built from: each model's file says which it trains with and how its
 * own differs. A model not listed in the original has no recipe.
 */
import type { Recipe, RecipeOptimizer } from "../../contract/model-descriptor.js";

export const adam = (lr: number): RecipeOptimizer => ({
  name: "adam",
  lr,
  momentum: 0,
  nesterov: false,
  weightDecay: 0,
});

/** SmallCNN's setup (the original's smallcnn.py); the other recipes say how they differ. */
export const KERAS_SMALLCNN_RECIPE: Recipe = {
  epochs: 200,
  batchSize: 128,
  optimizer: adam(4e-4),
  schedule: "smallcnn",
  labelSmoothing: 0,
  pipeline: "scale",
  shuffle: { kind: "buffer", size: 1024 },
  head: "softmax",
};

/** The ImageNet setup (Model Garden's ResNet50): SGD with warm-up, label smoothing. */
export const IMAGENET_RECIPE: Recipe = {
  ...KERAS_SMALLCNN_RECIPE,
  epochs: 90,
  batchSize: 256,
  optimizer: { name: "sgd", lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
  schedule: "resnet50-imagenet",
  labelSmoothing: 0.1,
  pipeline: "standardize",
  shuffle: { kind: "buffer", size: 10000 },
};
