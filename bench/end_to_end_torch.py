"""PyTorch's side of bench/end-to-end.ts: SmallCNN on Fashion-MNIST written as a PyTorch user
writes it, the recipe of `nnr train` (Adam lr 4e-4 eps 1e-7, batch 128, pixels scaled to [0, 1],
a fresh order each epoch, Glorot-uniform weights and zero biases), the test set evaluated after
every epoch as nnr does, and the last epoch's test accuracy printed. The caller times the
process from its start, so interpreter start-up and `import torch` count, as they do for nnr.

Usage: python3 bench/end_to_end_torch.py EPOCHS THREADS MEMORY_FORMAT [DATA_DIR [TRAIN_EXAMPLES]]
MEMORY_FORMAT is contiguous (PyTorch's default layout) or channels_last.

Under torchrun (WORLD_SIZE > 1; bench/data-parallel-command.ts --torch) it trains as a PyTorch
user's DistributedDataParallel script over Gloo: rank 0's initial weights broadcast by DDP, each
rank the contiguous r-th slice of every global batch of 128 (one shared order), and rank 0
evaluating the test set alone while the others wait at a barrier.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
from fashion_mnist import DEFAULT_DIR, load  # noqa: E402
from nn_models import SmallCNN  # noqa: E402


def data_parallel():
    """(rank, world size), joining torchrun's group when there is one."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1
    torch.distributed.init_process_group("gloo")
    return torch.distributed.get_rank(), world


def main():
    epochs, threads = int(sys.argv[1]), int(sys.argv[2])
    layout = torch.channels_last if sys.argv[3] == "channels_last" else torch.contiguous_format
    data_dir = sys.argv[4] if len(sys.argv) > 4 else DEFAULT_DIR
    train_examples = int(sys.argv[5]) if len(sys.argv) > 5 else None
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train_x, train_y = load(data_dir, "train", train_examples)
    test_x, test_y = load(data_dir, "t10k")
    model = SmallCNN(in_channels=1).to(memory_format=layout)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    rank, world = data_parallel()
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, eps=1e-7)
    accuracy = float("nan")
    for _ in range(epochs):
        model.train()
        permutation = torch.randperm(len(train_x))
        for start in range(0, len(train_x), 128):
            index = permutation[start:start + 128]
            share = (len(index) + world - 1) // world
            index = index[rank * share:(rank + 1) * share]
            x = train_x[index].contiguous(memory_format=layout)
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), train_y[index]).backward()
            optimizer.step()
        if rank != 0:
            torch.distributed.barrier()
            continue
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(test_x), 500):
                x = test_x[start:start + 500].contiguous(memory_format=layout)
                correct += (model(x).argmax(1) == test_y[start:start + 500]).sum().item()
        accuracy = correct / len(test_x)
        if world > 1:
            torch.distributed.barrier()
    if rank == 0:
        print(f"test accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
