"""PyTorch's side of bench/resnet18.ts: ResNet18-CIFAR training steps with the same model
(scripts/fixtures/nn_models.py), Adam and cross-entropy, on a fixed random batch. Prints the
seconds of each timed step as one JSON line.
Usage: /usr/bin/python3 bench/resnet18_torch.py FORMAT BATCH WARMUP_STEPS TIMED_STEPS THREADS
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
from nn_models import ResNet18Cifar  # noqa: E402

memory_format = sys.argv[1]
batch, warmup, steps, threads = (int(v) for v in sys.argv[2:6])
torch.set_num_threads(threads)
gen = torch.Generator().manual_seed(0)
layout = torch.channels_last if memory_format == "channels_last" else torch.contiguous_format
torch.manual_seed(0)
model = ResNet18Cifar().to(memory_format=layout).train()
optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, foreach=False)
x = torch.rand((batch, 3, 32, 32), generator=gen).contiguous(memory_format=layout)
y = torch.randint(0, 10, (batch,), generator=gen)


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(warmup):
    step()
seconds = []
for _ in range(steps):
    start = time.perf_counter()
    step()
    seconds.append(time.perf_counter() - start)
print(json.dumps({"memoryFormat": memory_format, "stepSeconds": seconds}), flush=True)
