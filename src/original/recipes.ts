/**
 * What the original's training scripts train, as nnr run requests (../shared/REFERENCE.md).
 * They differ from nnr's own recipes (train/recipes.ts) only where the original did something
 * nnr's recipes chose otherwise; those differences apply under `nnr original` alone, so runs
 * of nnr's own recipes keep their bits.
 */
import type { TransformSpec } from "../data/transforms.js";
import type { RunRequest } from "../train/recipes.js";

/**
 * ResNet18 on CIFAR: the original standardises each image (tf.image.per_image_standardization)
 * and then pads to 40×40 and crops 32×32, so the padded border holds the image's mean (0 after
 * standardising), not black. nnr's recipe pads first and standardises the padded image.
 */
export const RESNET18_CIFAR_TRANSFORMS: TransformSpec[] = [
  { op: "standardize" },
  { op: "pad", pixels: 4 },
  { op: "randomCrop", height: 32, width: 32 },
  { op: "randomFlip" },
];

/**
 * ResNet18 on CelebA: the original feeds the 128×128 images as floats in [0, 1]
 * (tf.image.convert_image_dtype, x / 255), with no standardisation; nnr's recipe standardises.
 */
export const CELEBA_TRANSFORMS: TransformSpec[] = [{ op: "scale" }];

/** The original's GlorotUniform seed under --deterministic_init: 0, and 1 for CelebA. */
export const CELEBA_INIT_SEED = 1;

export function smallcnnRequest(dataset: "cifar10" | "cifar100"): RunRequest {
  // smallcnn.py's defaults: CIFAR-10 in [0, 1], Adam 4e-4, batch 128, 200 epochs — nnr's recipe.
  return { model: "smallcnn", dataset };
}

export function resnet18Request(
  dataset: "cifar10" | "cifar100",
  l2: number | undefined,
): RunRequest {
  return {
    model: "resnet18",
    dataset,
    transforms: RESNET18_CIFAR_TRANSFORMS,
    // resnet18.py's --l2 is Keras's kernel_regularizer, not PyTorch's weight decay.
    ...(l2 === undefined ? {} : { kernelL2: l2 }),
  };
}

export function celebaRequest(): RunRequest {
  return {
    model: "resnet18",
    dataset: "celeba",
    transforms: CELEBA_TRANSFORMS,
    fixedSeeds: { init: CELEBA_INIT_SEED },
  };
}

/**
 * ImageNet training: the original's input (official models' resnet preprocessing) draws a
 * random window (8–100 % of the area, aspect 3/4–4/3), resizes it to 224×224 and flips at
 * random; nnr's recipe trains on the stored image. Both then standardise (the original
 * normalises by ImageNet's channel means and stds instead).
 */
export const IMAGENET_TRAIN_TRANSFORMS: TransformSpec[] = [
  { op: "randomResizedCrop", height: 224, width: 224 },
  { op: "randomFlip" },
  { op: "standardize" },
];

/** classifier_trainer.py with the paper's gpu.yaml: ResNet50, nnr's ImageNet recipe. */
export function imagenetRequest(): RunRequest {
  return { model: "resnet50", dataset: "imagenet", transforms: IMAGENET_TRAIN_TRANSFORMS };
}
