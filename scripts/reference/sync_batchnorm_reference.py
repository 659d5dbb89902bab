"""The reference of nnr's synchronised BatchNorm (test/distributed/sync-batchnorm-torch.test.ts):
torch.nn.functional.batch_norm in training on the whole global batch that the ranks split,
with the same weight, bias, running statistics and upstream gradient. PyTorch 1.13's own
SyncBatchNorm refuses CPU tensors; on the global batch it is this computation.

python3 scripts/reference/sync_batchnorm_reference.py DIR   (reads DIR/op-input.json, writes DIR/op-torch.json)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

directory = sys.argv[1]
with open(os.path.join(directory, "op-input.json")) as f:
    given = json.load(f)
torch.set_num_threads(1)
shape = given["shape"]
x = torch.tensor(given["x"], dtype=torch.float32).reshape(shape).requires_grad_()
dy = torch.tensor(given["dy"], dtype=torch.float32).reshape(shape)
weight = torch.tensor(given["weight"], dtype=torch.float32).requires_grad_()
bias = torch.tensor(given["bias"], dtype=torch.float32).requires_grad_()
running_mean = torch.tensor(given["runningMean"], dtype=torch.float32)
running_var = torch.tensor(given["runningVar"], dtype=torch.float32)
out = F.batch_norm(
    x, running_mean, running_var, weight, bias, training=True,
    momentum=given["momentum"], eps=given["eps"],
)
(out * dy).sum().backward()
result = {
    "out": out.detach().flatten().tolist(),
    "gradInput": x.grad.flatten().tolist(),
    "gradWeight": weight.grad.tolist(),
    "gradBias": bias.grad.tolist(),
    "runningMean": running_mean.tolist(),
    "runningVar": running_var.tolist(),
}
path = os.path.join(directory, "op-torch.json")
with open(path + ".tmp", "w") as f:
    json.dump(result, f)
os.replace(path + ".tmp", path)
