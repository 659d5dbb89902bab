"""Writes a Keras-layout checkpoint of ResNet18-CIFAR's size for bench/keras-h5-read.ts.

    /usr/bin/python3 bench/make_keras_h5.py /tmp/resnet18-like.h5

The stem and the 16 3×3 convolutions of ResNet18's four stages plus the dense head
(10,992,320 float32 weights, 44 MB), laid out as Keras 2.4's model.save writes them:
/model_weights/{layer}/{layer}/kernel:0 with layer_names and weight_names attributes.
Needs numpy and h5py; values are seeded normal draws.
"""

import sys

import h5py
import numpy as np


def main(path):
    rng = np.random.default_rng(0)
    layers = [("conv2d", (3, 3, 3, 64))]
    previous = 64
    for channels in [64, 64, 128, 128, 256, 256, 512, 512]:
        for shape in [(3, 3, previous, channels), (3, 3, channels, channels)]:
            layers.append((f"conv2d_{len(layers)}", shape))
        previous = channels
    layers.append(("dense", (512, 10)))
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.4.0"
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([name.encode() for name, _ in layers])
        for name, shape in layers:
            group = weights.create_group(name)
            group.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode()])
            values = rng.standard_normal(shape).astype(np.float32) * np.float32(0.01)
            group.create_dataset(f"{name}/kernel:0", data=values)
    print(path, sum(int(np.prod(shape)) for _, shape in layers), "weights")


if __name__ == "__main__":
    main(sys.argv[1])
