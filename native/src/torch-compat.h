// What differs between the libtorch releases nnr builds against (Debian 12's 1.13, Debian 13's
// 2.6, a CUDA 2.x on a GPU machine), in one place, so the code that calls these stays free of
// version branches. Each difference is detected from the headers themselves, not from a
// version number.
#pragma once

#include <ATen/core/grad_mode.h>  // at::NoGradGuard: ATen/ATen.h no longer brings it in 2.x
#include <c10/util/intrusive_ptr.h>

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

namespace nnr {

// TCPStoreOptions::useLibUV exists from 2.2 on (true by default from 2.4); 1.13 has no libuv
// backend at all.
template <typename Options, typename = void>
struct HasLibUvSwitch : std::false_type {};
template <typename Options>
struct HasLibUvSwitch<Options, std::void_t<decltype(std::declval<Options&>().useLibUV)>>
    : std::true_type {};

// Turns the store's libuv backend off; false where it was off already or does not exist.
template <typename Options>
bool TurnOffLibUv(Options& options) {
  if constexpr (HasLibUvSwitch<Options>::value) {
    if (!options.useLibUV) return false;
    options.useLibUV = false;
    return true;
  } else {
    return false;
  }
}

// Whether a store failed only because this libtorch was built without libuv (Debian's 2.x):
// "use_libuv was requested but PyTorch was build without libuv support".
inline bool FailedForWantOfLibUv(const std::exception& error) {
  return std::string(error.what()).find("without libuv") != std::string::npos;
}

// A c10d::TCPStore on libuv where the build has it (2.x's default), else on the classic socket
// backend, which every release has.
template <typename Store, typename Options>
c10::intrusive_ptr<Store> MakeTCPStore(const std::string& host, Options options) {
  try {
    return c10::make_intrusive<Store>(host, options);
  } catch (const std::exception& error) {
    if (!FailedForWantOfLibUv(error) || !TurnOffLibUv(options)) throw;
  }
  return c10::make_intrusive<Store>(host, options);
}

}  // namespace nnr
