// Synchronised BatchNorm as torch.nn.SyncBatchNorm computes it (torch/nn/modules/_functions.py),
// on the CPU and over Gloo, as one autograd function:
// - forward: each rank's per-channel count, mean and biased variance are all-gathered (PyTorch
//   all-gathers mean, invstd and count); every rank combines them in rank order with Chan's
//   parallel formula, so all ranks normalise with the same global mean and variance, bit for
//   bit; the running statistics take the global mean and the unbiased global variance;
// - backward: the per-channel sums of dy and dy·(x − mean) are all-reduced and grad_input is
//   computed from their global means; grad_weight and grad_bias stay this rank's, for the
//   gradient averaging to average, as DistributedDataParallel does with SyncBatchNorm.
// PyTorch's own operations for it (batch_norm_stats, batch_norm_gather_stats_with_counts, ...)
// have CUDA kernels only, so the arithmetic is spelled out in ATen operations here.
#include <ATen/core/ivalue.h>
#include <torch/csrc/autograd/custom_function.h>

#include <string>
#include <vector>

#include "distributed.h"
#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The group, as an autograd context keeps it between forward and backward.
struct GroupCapsule : torch::CustomClassHolder {
  explicit GroupCapsule(CollectiveGroup g) : group(std::move(g)) {}
  CollectiveGroup group;
};

std::string Where(const CollectiveGroup& group) {
  return " on rank " + std::to_string(group.rank) + " of " + std::to_string(group.size);
}

std::vector<int64_t> ReducedDims(const at::Tensor& input) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  return dims;
}

// A per-channel vector shaped to broadcast against the input: [1, C, 1, ...].
at::Tensor AsChannels(const at::Tensor& perChannel, const at::Tensor& input) {
  std::vector<int64_t> shape(input.dim(), 1);
  shape[1] = perChannel.numel();
  return perChannel.view(shape);
}

struct GlobalStats {
  at::Tensor mean;      // float64, [C]
  at::Tensor variance;  // biased, float64, [C]
  double count;
};

// All-gathers [count, mean (C), count·variance (C)] in float64 and combines the ranks in rank
// order (Chan et al.): mean = mean_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n.
GlobalStats GatherStats(const at::Tensor& input, const CollectiveGroup& group) {
  int64_t channels = input.size(1);
  auto [variance, mean] = at::var_mean(input, ReducedDims(input), /*unbiased=*/false);
  double count = static_cast<double>(input.numel() / channels);
  at::Tensor local = at::cat({at::full({1}, count, input.options().dtype(at::kDouble)),
                              mean.to(at::kDouble), variance.to(at::kDouble).mul(count)});
  std::vector<at::Tensor> inputs{local};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int r = 0; r < group.size; ++r) outputs[0].push_back(at::empty_like(local));
  c10::intrusive_ptr<c10d::Work> work;
  std::string what = "synchronised BatchNorm's all-gather" + Where(group);
  try {
    work = group.group->allgather(outputs, inputs);
  } catch (const std::exception& error) {
    FailCollective(what + " failed", error);
  }
  AwaitCollective(work, group, "synchronised BatchNorm's all-gather");
  GlobalStats total{outputs[0][0].narrow(0, 1, channels).clone(),
                    outputs[0][0].narrow(0, 1 + channels, channels).clone(),
                    outputs[0][0][0].item<double>()};
  for (int r = 1; r < group.size; ++r) {
    const at::Tensor& theirs = outputs[0][r];
    double n = theirs[0].item<double>();
    double combined = total.count + n;
    at::Tensor delta = theirs.narrow(0, 1, channels) - total.mean;
    total.mean.add_(delta * (n / combined));
    total.variance.add_(theirs.narrow(0, 1 + channels, channels))
        .add_(delta * delta * (total.count * n / combined));
    total.count = combined;
  }
  total.variance.div_(total.count);
  return total;
}

struct SyncBatchNormFunction : torch::autograd::Function<SyncBatchNormFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& input,
                               const at::Tensor& weight, const at::Tensor& bias,
                               at::Tensor runningMean, at::Tensor runningVar, double momentum,
                               double eps, c10::intrusive_ptr<GroupCapsule> capsule) {
    const CollectiveGroup& group = capsule->group;
    GlobalStats stats = GatherStats(input, group);
    if (stats.count <= 1) {
      throw std::runtime_error(
          "synchronised BatchNorm needs more than one value per channel, got " +
          std::to_string(static_cast<int64_t>(stats.count)));
    }
    if (runningMean.defined()) {
      runningMean.mul_(1 - momentum).add_(stats.mean.to(runningMean.scalar_type()) * momentum);
    }
    if (runningVar.defined()) {
      at::Tensor unbiased = stats.variance * (stats.count / (stats.count - 1));
      runningVar.mul_(1 - momentum).add_(unbiased.to(runningVar.scalar_type()) * momentum);
    }
    at::Tensor mean = stats.mean.to(input.scalar_type());
    at::Tensor invstd = (stats.variance + eps).rsqrt().to(input.scalar_type());
    // y = x·scale + shift, as ATen's CPU batch_norm transforms its input.
    at::Tensor scale = weight.defined() ? weight * invstd : invstd;
    at::Tensor shift = bias.defined() ? bias - mean * scale : -mean * scale;
    at::Tensor output = at::addcmul(AsChannels(shift, input), input, AsChannels(scale, input));
    ctx->save_for_backward({input, weight, mean, invstd});
    ctx->saved_data["group"] = c10::IValue::make_capsule(capsule);
    ctx->saved_data["count"] = stats.count;
    return {output};
  }

  static variable_list backward(AutogradContext* ctx, variable_list gradOutputs) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& mean = saved[2];
    const at::Tensor& invstd = saved[3];
    auto holder = ctx->saved_data["group"].toCapsule();
    const CollectiveGroup& group = static_cast<GroupCapsule*>(holder.get())->group;
    double count = ctx->saved_data["count"].toDouble();
    at::Tensor dy = gradOutputs[0].contiguous();
    auto dims = ReducedDims(input);
    at::Tensor xmu = input - AsChannels(mean, input);
    at::Tensor sumDy = dy.sum(dims);
    at::Tensor sumDyXmu = (dy * xmu).sum(dims);

    at::Tensor gradInput, gradWeight, gradBias;
    if (weight.defined() && ctx->needs_input_grad(1)) gradWeight = sumDyXmu * invstd;
    if (ctx->needs_input_grad(2)) gradBias = sumDy.clone();
    if (ctx->needs_input_grad(0)) {
      int64_t channels = input.size(1);
      std::vector<at::Tensor> buffer{at::cat({sumDy, sumDyXmu})};
      c10::intrusive_ptr<c10d::Work> work;
      try {
        work = group.group->allreduce(buffer);
      } catch (const std::exception& error) {
        FailCollective("synchronised BatchNorm's backward all-reduce" + Where(group) + " failed",
                       error);
      }
      AwaitCollective(work, group, "synchronised BatchNorm's backward all-reduce");
      // grad_input = (dy − mean(dy) − (x − mean)·invstd²·mean(dy·(x − mean)))·invstd·weight,
      // as per-channel coefficients of dy and x − mean: two passes over the input.
      at::Tensor meanDy = buffer[0].narrow(0, 0, channels) / count;
      at::Tensor meanDyXmu = buffer[0].narrow(0, channels, channels) / count;
      at::Tensor scale = weight.defined() ? invstd * weight : invstd;
      at::Tensor ofXmu = -(invstd * invstd * meanDyXmu * scale);
      at::Tensor constant = -(meanDy * scale);
      gradInput =
          at::addcmul(at::addcmul(AsChannels(constant, input), dy, AsChannels(scale, input)), xmu,
                      AsChannels(ofXmu, input));
    }
    return {gradInput,    gradWeight,   gradBias,     at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// syncBatchNorm(group, input, weight, bias, runningMean, runningVar, momentum, eps): training
// mode only (in evaluation BatchNorm uses its running statistics, no collective).
Napi::Value SyncBatchNorm(const Args& args) {
  CollectiveGroup group = GroupArg(args, 0);
  at::Tensor& input = args.tensor(1, "input");
  if (input.dim() < 2) args.fail("input must have a channel dimension (N, C, ...)");
  auto capsule = c10::make_intrusive<GroupCapsule>(std::move(group));
  auto outputs = SyncBatchNormFunction::apply(
      input, args.optionalTensor(2, "weight"), args.optionalTensor(3, "bias"),
      args.optionalTensor(4, "runningMean"), args.optionalTensor(5, "runningVar"),
      args.number(6, "momentum"), args.number(7, "eps"), capsule);
  return Wrap(args, outputs[0]);
}

const Export kExports[] = {{"syncBatchNorm", SyncBatchNorm}};

}  // namespace

void RegisterSyncBatchNorm(Napi::Env env, Napi::Object exports) {
  RegisterTable(env, exports, kExports);
}

}  // namespace nnr
