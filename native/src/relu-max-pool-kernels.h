// The loops of the fused ReLU of 2×2 max pooling (relu-max-pool-kernels.cc), apart from its
// autograd function and N-API entry (relu-max-pool.cc).
#pragma once

#include <cstdint>

namespace nnr {

// What the kernels need to know of a pooling: the input's N, C, H, W, its layout, and the
// output's height and width.
struct Pooling {
  int64_t batch, channels, height, width, outHeight, outWidth;
  bool channelsLast;
};

// relu(max_pool2d(in, 2)) into `out`, both dense in the pooling's layout; with `code`, one byte
// per output for the backward (null when no backward follows).
void ReluMaxPoolForward(const Pooling& p, const float* in, float* out, uint8_t* code);

// The input's gradient `gin` from the output's `g` and the forward's codes, every element
// written once.
void ReluMaxPoolBackward(const Pooling& p, const float* g, const uint8_t* code, float* gin);

}  // namespace nnr
