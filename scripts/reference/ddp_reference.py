"""PyTorch's own DistributedDataParallel (Gloo) on the case test/distributed/ddp-worker.ts trains.

Reads DIR/data.json and DIR/init.json written by nnr's rank 0; rank 0 loads the initial
weights, rank 1 keeps its own random ones (DDP's start-up broadcast must replace them); each
rank takes its contiguous slice of every global batch; rank 0 writes DIR/torch-steps.json, the
state dict after every step. Run one process per rank with RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT set:  python3 scripts/reference/ddp_reference.py DIR STEPS GLOBAL_BATCH LR MOMENTUM
"""
import json
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel


def main():
    folder, steps, global_batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lr, momentum = float(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    dist.init_process_group("gloo", init_method="env://")
    rank, world = dist.get_rank(), dist.get_world_size()
    with open(os.path.join(folder, "data.json")) as f:
        data = json.load(f)
    with open(os.path.join(folder, "init.json")) as f:
        init = json.load(f)
    images = torch.tensor(data["images"], dtype=torch.float32).reshape(data["shape"])
    labels = torch.tensor(data["labels"], dtype=torch.int64)
    size, channels = data["shape"][2], len(init["0.bias"])
    classes = len(init["4.bias"])
    model = nn.Sequential(
        nn.Conv2d(1, channels, 3),
        nn.BatchNorm2d(channels),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(channels * (size - 2) ** 2, classes),
    )
    if rank == 0:
        state = model.state_dict()
        model.load_state_dict(
            {
                name: torch.tensor(init[name], dtype=value.dtype).reshape(value.shape)
                for name, value in state.items()
            }
        )
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr, momentum=momentum)
    share = global_batch // world
    history = []
    for step in range(steps):
        first = step * global_batch + rank * share
        x, y = images[first : first + share], labels[first : first + share]
        optimizer.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        optimizer.step()
        history.append({name: t.reshape(-1).tolist() for name, t in model.state_dict().items()})
    if rank == 0:
        path = os.path.join(folder, "torch-steps.json")
        with open(path + ".tmp", "w") as f:
            json.dump(history, f)
        os.replace(path + ".tmp", path)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
