/** Parameter counts of the zoo models as their reference implementations publish them. */

export interface Published {
  model: string;
  source: "torchvision" | "keras";
  /** torchvision: parameters; Keras: "Total params" (trainable + moving statistics). */
  total: number;
  /** Keras's "Trainable params". */
  trainable?: number;
  /**
   * Non-trainable weights Keras counts in its total besides BatchNorm's moving statistics:
   * EfficientNetB0's input Normalization layer (mean and variance of 3 channels, and a count),
   * which is preprocessing and not part of the model here.
   */
  otherStatistics?: number;
  /** The smallest input height and width the model takes, when 64×64 is too small. */
  minInputSize?: number;
}

export const PUBLISHED: Published[] = [
  { model: "resnet152", source: "torchvision", total: 60_192_808 },
  { model: "mobilenet", source: "keras", total: 4_253_864, trainable: 4_231_976 },
  { model: "densenet121", source: "keras", total: 8_062_504, trainable: 7_978_856 },
  { model: "densenet201", source: "keras", total: 20_242_984, trainable: 20_013_928 },
  { model: "xception", source: "keras", total: 22_910_480, trainable: 22_855_952 },
  {
    model: "inceptionv3",
    source: "keras",
    total: 23_851_784,
    trainable: 23_817_352,
    minInputSize: 75,
  },
  {
    model: "efficientnetb0",
    source: "keras",
    total: 5_330_571,
    trainable: 5_288_548,
    otherStatistics: 7,
  },
];
