/**
 * VGG16 and VGG19 as Keras applications builds them (the overhead study's models): 3×3
 * "same" convs with bias and ReLU, a 2×2 max-pool after each stage, Flatten, Dense 4096 → ReLU
 * → Dense 4096 → ReLU → Dense classes; Glorot-uniform kernels. Indices of `features.*` and
 * `classifier.*` are torchvision's (its Dropout layers sit at classifier.2 and .5), so weights
 * map onto torchvision.models.vgg16 one to one. 138,357,544 / 143,667,240 parameters.
 */
import { checkInputSize } from "../../contract/model-descriptor.js";
import type { Tensor } from "../../engine/index.js";
import { Conv2d, Dropout, Linear, MaxPool2d, ReLU, Sequential } from "../layers/index.js";
import type { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";
import { IMAGENET_RECIPE } from "./recipes.js";

const CONFIGS = {
  vgg16: [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ],
  vgg19: [
    [64, 64],
    [128, 128],
    [256, 256, 256, 256],
    [512, 512, 512, 512],
    [512, 512, 512, 512],
  ],
} as const;

export type VggName = keyof typeof CONFIGS;

export class VGG extends Model {
  readonly name: VggName;
  readonly #features: Sequential;
  readonly #classifier: Sequential;

  constructor(name: VggName, options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    this.name = name;
    const { generator } = options;
    const [channels, height, width] = this.inputShape;
    const layers: Module[] = [];
    let inChannels = channels;
    for (const stage of CONFIGS[name]) {
      for (const outChannels of stage) {
        layers.push(
          new Conv2d({ inChannels, outChannels, kernelSize: 3, padding: "same", generator }),
          new ReLU(),
        );
        inChannels = outChannels;
      }
      layers.push(new MaxPool2d(2));
    }
    this.#features = this.registerModule("features", new Sequential(layers));
    const stages = CONFIGS[name].length;
    const features =
      inChannels * Math.floor(height / 2 ** stages) * Math.floor(width / 2 ** stages);
    if (features === 0) checkInputSize(VGG_MODELS[name].descriptor, height, width);
    const p = options.dropout ?? 0;
    const dropoutGenerator = options.dropoutGenerator ?? null;
    this.#classifier = this.registerModule(
      "classifier",
      new Sequential([
        new Linear({ inFeatures: features, outFeatures: 4096, generator }),
        new ReLU(),
        new Dropout(p, dropoutGenerator),
        new Linear({ inFeatures: 4096, outFeatures: 4096, generator }),
        new ReLU(),
        new Dropout(p, dropoutGenerator),
        new Linear({ inFeatures: 4096, outFeatures: this.classes, generator }),
      ]),
    );
  }

  protected logits(input: Tensor): Tensor {
    return this.#classifier.forward(this.#features.forward(input).flatten(1));
  }
}

const vggModel = (name: VggName, displayName: string, overheadOrder: number): ZooModel => ({
  descriptor: {
    name,
    displayName,
    description: `${displayName} (Keras applications)`,
    options: {},
    recipe: { default: IMAGENET_RECIPE },
    // Five 2×2 max-pools, each flooring.
    input: { minSize: 32 },
    overhead: { order: overheadOrder },
  },
  create: (options) => new VGG(name, options),
});

export const VGG16_MODEL = vggModel("vgg16", "VGG16", 1);
export const VGG19_MODEL = vggModel("vgg19", "VGG19", 2);

const VGG_MODELS: Record<VggName, ZooModel> = { vgg16: VGG16_MODEL, vgg19: VGG19_MODEL };
