"""PyTorch's side of bench/training-throughput.ts: training steps of the same model
(scripts/fixtures/nn_models.py, the twins of nnr's models), Adam and cross-entropy, on a fixed
random batch. Prints the seconds of each timed step as one JSON line.
Usage: python3 bench/training_throughput_torch.py MODEL FORMAT BATCH WARMUP_STEPS TIMED_STEPS THREADS [C,H,W]
C,H,W is the input shape (default 3,32,32).
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
from nn_models import ResNet18Cifar, SmallCNN  # noqa: E402

model_name, memory_format = sys.argv[1], sys.argv[2]
batch, warmup, steps, threads = (int(v) for v in sys.argv[3:7])
channels, height, width = (int(v) for v in (sys.argv[7] if len(sys.argv) > 7 else "3,32,32").split(","))
torch.set_num_threads(threads)
gen = torch.Generator().manual_seed(0)
layout = torch.channels_last if memory_format == "channels_last" else torch.contiguous_format
torch.manual_seed(0)
model = (SmallCNN(in_channels=channels) if model_name == "smallcnn" else ResNet18Cifar()).to(memory_format=layout).train()
optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, foreach=False)
x = torch.rand((batch, channels, height, width), generator=gen).contiguous(memory_format=layout)
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
