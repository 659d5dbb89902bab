// The headers every source file includes, compiled once per build (scripts/build-addon.mjs)
// and force-included before each file: parsing ATen's headers is most of a file's compile time.

#include <ATen/ATen.h>
#include <napi.h>
