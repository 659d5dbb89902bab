"""PyTorch's side of bench/onnx-accuracy.ts: a CNN that nnr's zoo does not have (BatchNorm, a
grouped convolution, Dropout and global average pooling), defined in PyTorch.

  export OUT.onnx
      Writes the module (torch.manual_seed(0) initialisation) to OUT.onnx in training mode
      (TrainingMode.TRAINING, no constant folding, opset 17), as docs/your-model.md tells a user.
  train MODEL.onnx EPOCHS TRAIN_EXAMPLES BATCH LR SEEDS [DATA_DIR]
      Trains the module from MODEL.onnx's weights (parameters and BatchNorm's running statistics)
      with nnr's recipe for an imported model: Adam (PyTorch's betas, eps 1e-7 as nnr), constant
      lr, cross-entropy, pixels scaled to [0, 1], the first TRAIN_EXAMPLES training examples in a
      fresh order each epoch. Seed s draws the order and the dropout masks. Prints each seed's
      test accuracy (eval mode, the full test set) as JSON.

Usage: python3 bench/onnx_accuracy_torch.py export OUT.onnx
       python3 bench/onnx_accuracy_torch.py train MODEL.onnx 2 10000 64 0.001 5
"""
import json
import os
import sys

import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
from fashion_mnist import DEFAULT_DIR, load  # noqa: E402

OPSET = 17
ADAM_EPS = 1e-7


class FashionCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, groups=2, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(64, momentum=0.2)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        return self.fc(self.dropout(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)))


def export(path):
    torch.manual_seed(0)
    model = FashionCNN().train()
    torch.onnx.export(
        model, torch.zeros(2, 1, 28, 28), path, opset_version=OPSET,
        training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    print(f"wrote {path}")


def from_file(path):
    """The module with the file's weights: every parameter and buffer the file holds by name."""
    model = FashionCNN()
    weights = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy())
               for i in onnx.load(path).graph.initializer}
    state = model.state_dict()
    missing = [name for name in state if name not in weights and "num_batches" not in name]
    if missing:
        sys.exit(f"{path}: no initializer for {', '.join(missing)}; export it with this script")
    model.load_state_dict({name: weights.get(name, state[name]) for name in state})
    return model


def run(path, seed, recipe, train, test):
    epochs, batch, lr = recipe
    model = from_file(path)
    torch.manual_seed(seed)  # the dropout masks
    order = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=ADAM_EPS)
    train_x, train_y = train
    for _ in range(epochs):
        model.train()
        permutation = torch.randperm(len(train_x), generator=order)
        for start in range(0, len(train_x), batch):
            index = permutation[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(train_x[index]), train_y[index]).backward()
            optimizer.step()
    model.eval()
    test_x, test_y = test
    with torch.no_grad():
        predictions = torch.cat([model(test_x[i:i + 1000]).argmax(1) for i in range(0, len(test_x), 1000)])
    return (predictions == test_y).float().mean().item()


def train(args):
    path = args[0]
    epochs, train_examples, batch = (int(v) for v in args[1:4])
    lr, seeds = float(args[4]), int(args[5])
    data_dir = args[6] if len(args) > 6 else DEFAULT_DIR
    torch.set_num_threads(1)
    train_set = load(data_dir, "train", train_examples)
    test_set = load(data_dir, "t10k")
    accuracies = [run(path, seed, (epochs, batch, lr), train_set, test_set) for seed in range(seeds)]
    print(json.dumps({"torch": torch.__version__, "accuracies": accuracies}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "export":
        export(sys.argv[2])
    elif len(sys.argv) in (8, 9) and sys.argv[1] == "train":
        train(sys.argv[2:])
    else:
        sys.exit(__doc__.strip().split("\n\n")[-1])


if __name__ == "__main__":
    main()
