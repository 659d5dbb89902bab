"""PyTorch's side of bench/end-to-end.ts: SmallCNN on Fashion-MNIST written as a PyTorch user
writes it, the recipe of `nnr train` (Adam lr 4e-4 eps 1e-7, batch 128, pixels scaled to [0, 1],
a fresh order each epoch, Glorot-uniform weights and zero biases), the test set evaluated after
every epoch as nnr does, and the last epoch's test accuracy printed. The caller times the
process from its start, so interpreter start-up and `import torch` count, as they do for nnr.

Usage: python3 bench/end_to_end_torch.py EPOCHS THREADS MEMORY_FORMAT [DATA_DIR [TRAIN_EXAMPLES]]
MEMORY_FORMAT is contiguous (PyTorch's default layout) or channels_last.
"""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self, classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding="same")
        self.conv2 = nn.Conv2d(16, 32, 3, padding="same")
        self.conv3 = nn.Conv2d(32, 32, 3, padding="same")
        self.fc1 = nn.Linear(32, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.fc2(F.relu(self.fc1(x.mean((2, 3)))))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    return x, torch.tensor(labels, dtype=torch.int64)


def main():
    epochs, threads = int(sys.argv[1]), int(sys.argv[2])
    layout = torch.channels_last if sys.argv[3] == "channels_last" else torch.contiguous_format
    data_dir = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/datasets/fashion-mnist"
    train_examples = int(sys.argv[5]) if len(sys.argv) > 5 else None
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train_x, train_y = load(data_dir, "train")
    train_x, train_y = train_x[:train_examples], train_y[:train_examples]
    test_x, test_y = load(data_dir, "t10k")
    model = SmallCNN().to(memory_format=layout)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, eps=1e-7)
    accuracy = float("nan")
    for _ in range(epochs):
        model.train()
        permutation = torch.randperm(len(train_x))
        for start in range(0, len(train_x), 128):
            index = permutation[start:start + 128]
            x = train_x[index].contiguous(memory_format=layout)
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), train_y[index]).backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(test_x), 500):
                x = test_x[start:start + 500].contiguous(memory_format=layout)
                correct += (model(x).argmax(1) == test_y[start:start + 500]).sum().item()
        accuracy = correct / len(test_x)
    print(f"test accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
