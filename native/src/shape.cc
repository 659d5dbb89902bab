// Views, layout, joining, indexing and moves between dtypes, devices and memory formats.
#include "handles.h"
#include "registry.h"

namespace nnr {
namespace {

at::MemoryFormat ParseMemoryFormat(const Args& args, size_t i) {
  std::string name = args.string(i, "memoryFormat");
  if (name == "contiguous") return at::MemoryFormat::Contiguous;
  if (name == "channels_last") return at::MemoryFormat::ChannelsLast;
  if (name == "preserve") return at::MemoryFormat::Preserve;
  args.failArg(i, "memoryFormat", "'contiguous', 'channels_last' or 'preserve'");
}

Napi::Value Reshape(const Args& args) {
  return Wrap(args, at::reshape(args.tensor(0, "input"), args.ints(1, "shape")));
}
Napi::Value View(const Args& args) {
  return Wrap(args, args.tensor(0, "input").view(args.ints(1, "shape")));
}
Napi::Value Permute(const Args& args) {
  return Wrap(args, args.tensor(0, "input").permute(args.ints(1, "dims")));
}
Napi::Value Expand(const Args& args) {
  return Wrap(args, args.tensor(0, "input").expand(args.ints(1, "shape")));
}
Napi::Value Flip(const Args& args) {
  return Wrap(args, at::flip(args.tensor(0, "input"), args.ints(1, "dims")));
}

Napi::Value Transpose(const Args& args) {
  return Wrap(args, at::transpose(args.tensor(0, "input"), args.integer(1, "dim0"),
                                  args.integer(2, "dim1")));
}

Napi::Value Flatten(const Args& args) {
  return Wrap(args, at::flatten(args.tensor(0, "input"), args.integer(1, "startDim"),
                                args.integer(2, "endDim")));
}

Napi::Value Squeeze(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  if (args.isNullish(1)) return Wrap(args, at::squeeze(t));
  return Wrap(args, at::squeeze(t, args.integer(1, "dim")));
}

Napi::Value Unsqueeze(const Args& args) {
  return Wrap(args, at::unsqueeze(args.tensor(0, "input"), args.integer(1, "dim")));
}
Napi::Value Cat(const Args& args) {
  return Wrap(args, at::cat(args.tensors(0, "tensors"), args.integer(1, "dim")));
}
Napi::Value Stack(const Args& args) {
  return Wrap(args, at::stack(args.tensors(0, "tensors"), args.integer(1, "dim")));
}

// slice(input, dim, start, end, step): a view, as Python's t[start:end:step] along dim.
Napi::Value Slice(const Args& args) {
  return Wrap(args, args.tensor(0, "input")
                        .slice(args.integer(1, "dim"), args.integer(2, "start"),
                               args.integer(3, "end"), args.integer(4, "step")));
}

Napi::Value Narrow(const Args& args) {
  return Wrap(args, args.tensor(0, "input")
                        .narrow(args.integer(1, "dim"), args.integer(2, "start"),
                                args.integer(3, "length")));
}

Napi::Value IndexSelect(const Args& args) {
  return Wrap(args, at::index_select(args.tensor(0, "input"), args.integer(1, "dim"),
                                     args.tensor(2, "index")));
}

Napi::Value Gather(const Args& args) {
  return Wrap(args,
              at::gather(args.tensor(0, "input"), args.integer(1, "dim"), args.tensor(2, "index")));
}

Napi::Value MaskedFill(const Args& args) {
  return Wrap(args,
              args.tensor(0, "input").masked_fill(args.tensor(1, "mask"), args.scalar(2, "value")));
}

// pad(input, pads, mode, value): pads as in torch.nn.functional.pad (last dim first).
Napi::Value Pad(const Args& args) {
  const at::Tensor& t = args.tensor(0, "input");
  std::vector<int64_t> pads = args.ints(1, "pads");
  std::string mode = args.string(2, "mode");
  if (mode == "constant")
    return Wrap(args, at::constant_pad_nd(
                          t, pads, args.isNullish(3) ? at::Scalar(0) : args.scalar(3, "value")));
  if (mode == "reflect" && pads.size() == 4) return Wrap(args, at::reflection_pad2d(t, pads));
  if (mode == "replicate" && pads.size() == 4) return Wrap(args, at::replication_pad2d(t, pads));
  args.failArg(2, "mode", "'constant', or 'reflect'/'replicate' with 4 pads");
}

// to(input, dtype | null, device | null)
Napi::Value To(const Args& args) {
  at::Tensor t = args.tensor(0, "input");
  if (!args.isNullish(2)) t = t.to(args.device(2, "device"));
  if (!args.isNullish(1)) t = t.to(args.dtype(1, "dtype"));
  return Wrap(args, t);
}

Napi::Value Contiguous(const Args& args) {
  at::MemoryFormat format =
      args.isNullish(1) ? at::MemoryFormat::Contiguous : ParseMemoryFormat(args, 1);
  return Wrap(args, args.tensor(0, "input").contiguous(format));
}

Napi::Value IsContiguous(const Args& args) {
  at::MemoryFormat format =
      args.isNullish(1) ? at::MemoryFormat::Contiguous : ParseMemoryFormat(args, 1);
  return Napi::Boolean::New(args.env(), args.tensor(0, "input").is_contiguous(format));
}

Napi::Value Clone(const Args& args) {
  at::MemoryFormat format =
      args.isNullish(1) ? at::MemoryFormat::Preserve : ParseMemoryFormat(args, 1);
  return Wrap(args, args.tensor(0, "input").clone(format));
}

Napi::Value Detach(const Args& args) { return Wrap(args, args.tensor(0, "input").detach()); }

// A new handle to the same tensor: lets JS keep a tensor while the original handle is disposed.
Napi::Value Alias(const Args& args) { return Wrap(args, args.tensor(0, "input")); }

const Export kExports[] = {
    {"reshape", Reshape},
    {"view", View},
    {"permute", Permute},
    {"expand", Expand},
    {"flip", Flip},
    {"transpose", Transpose},
    {"flatten", Flatten},
    {"squeeze", Squeeze},
    {"unsqueeze", Unsqueeze},
    {"cat", Cat},
    {"stack", Stack},
    {"slice", Slice},
    {"narrow", Narrow},
    {"indexSelect", IndexSelect},
    {"gather", Gather},
    {"maskedFill", MaskedFill},
    {"pad", Pad},
    {"to", To},
    {"contiguous", Contiguous},
    {"isContiguous", IsContiguous},
    {"clone", Clone},
    {"detach", Detach},
    {"alias", Alias},
};

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) { RegisterTable(env, exports, kExports); }

}  // namespace nnr
