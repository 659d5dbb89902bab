"""Writes examples/smallcnn-pytorch.onnx: nnr's SmallCNN (src/nn/models/small-cnn.ts, without
BatchNorm) defined in PyTorch for Fashion-MNIST's 1×28×28 images and 10 classes, exported to
ONNX in training mode as docs/your-model.md says. Its layers carry nnr's names (conv1..conv3,
fc1, fc2), so nnr's own SmallCNN's weights load into the graph by name: bench/onnx-vs-zoo.ts
trains both from the same weights and compares their bits.

Run: /usr/bin/python3 examples/export_smallcnn.py [OUT]   (PyTorch >= 1.13)
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self, channels=1, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.fc2(F.relu(self.fc1(x.mean((2, 3)))))


def main(out):
    torch.manual_seed(0)
    model = SmallCNN().train()
    torch.onnx.export(
        model, torch.randn(2, 1, 28, 28), out, opset_version=17,
        training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/smallcnn-pytorch.onnx")
