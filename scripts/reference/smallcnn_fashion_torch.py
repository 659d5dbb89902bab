"""PyTorch reference for `nnr train` on Fashion-MNIST: the same SmallCNN (the twin in
scripts/fixtures/nn_models.py, 1 input channel), pixels scaled to [0, 1], Adam (lr 4e-4,
eps 1e-7 as Keras), batch 128, a fresh permutation each epoch, the first N training examples.
Prints the final test accuracy of each seed and their mean, as JSON.
Usage: python3 scripts/reference/smallcnn_fashion_torch.py EPOCHS TRAIN_EXAMPLES SEEDS [DATA_DIR]
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from fashion_mnist import DEFAULT_DIR, load  # noqa: E402
from nn_models import SmallCNN  # noqa: E402


def run(seed, epochs, train_x, train_y, test_x, test_y):
    torch.manual_seed(seed)
    order = torch.Generator().manual_seed(seed + 1)
    model = SmallCNN(in_channels=1)
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, eps=1e-7)
    for _ in range(epochs):
        model.train()
        permutation = torch.randperm(len(train_x), generator=order)
        for start in range(0, len(train_x), 128):
            index = permutation[start:start + 128]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(train_x[index]), train_y[index]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(test_x[i:i + 1000]).argmax(1) for i in range(0, len(test_x), 1000)])
    return (predictions == test_y).float().mean().item()


def main():
    epochs, train_examples, seeds = (int(v) for v in sys.argv[1:4])
    data_dir = sys.argv[4] if len(sys.argv) > 4 else DEFAULT_DIR
    torch.set_num_threads(1)
    train_x, train_y = load(data_dir, "train", train_examples)
    test_x, test_y = load(data_dir, "t10k")
    accuracies = [run(seed, epochs, train_x, train_y, test_x, test_y) for seed in range(seeds)]
    print(json.dumps({"accuracies": accuracies, "mean": float(np.mean(accuracies)), "std": float(np.std(accuracies))}))


if __name__ == "__main__":
    main()
