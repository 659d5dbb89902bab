// What other native files need of a process group (distributed.cc): the Gloo group behind a
// JS handle, and the bounded wait and one-line errors every collective uses.
#pragma once

#define USE_C10D_GLOO 1

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <chrono>
#include <exception>
#include <string>

#include "args.h"

namespace nnr {

// The group of a JS process-group handle, shared: an autograd graph that keeps it (synchronised
// BatchNorm's backward) keeps it alive past the handle's destroy.
struct CollectiveGroup {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  int rank = 0;
  int size = 1;
  std::chrono::milliseconds timeout{0};
};

CollectiveGroup GroupArg(const Args& args, size_t i);

// Waits for the collective at most the group's timeout; a failure leaves as one line naming
// `what`, this rank, and the likely cause.
void AwaitCollective(const c10::intrusive_ptr<c10d::Work>& work, const CollectiveGroup& group,
                     const std::string& what);

// Throws `what: <c10d's message, first line, without source locations>`.
[[noreturn]] void FailCollective(const std::string& what, const std::exception& error);

}  // namespace nnr
