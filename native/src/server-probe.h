// Waiting for a TCP server to listen before a client that backs off coarsely connects to it.
#pragma once

#include <chrono>
#include <string>

namespace nnr {

// Connects to host:port (its first resolved address) every few milliseconds while connections
// are refused, until one is accepted (and closed at once) or `timeout` has passed. False only
// on timeout; an address that does not resolve, or another failure (no route, say), returns
// true at once, so that the caller's own connect names it.
bool AwaitListening(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace nnr
