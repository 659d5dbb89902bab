// libtorch 1.13's TCPStore client sleeps a whole second after a refused connect, so a rank that
// starts a moment before rank 0's server listens lost a second at every rendezvous. Probing the
// port first, at a few milliseconds' interval, lets the client connect on its first try.
#include "server-probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace nnr {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kProbeInterval{5};

enum class Probe { kAccepted, kRefused, kOther };

// One non-blocking connect to one address, waiting at most until `deadline` for its outcome.
Probe ConnectOnce(const addrinfo& address, Clock::time_point deadline) {
  int fd = socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                  address.ai_protocol);
  if (fd < 0) return Probe::kOther;
  int error = connect(fd, address.ai_addr, address.ai_addrlen) == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd waiting{fd, POLLOUT, 0};
    socklen_t size = sizeof error;
    error = poll(&waiting, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) == 1 &&
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0
                ? error
                : ETIMEDOUT;
  }
  close(fd);
  if (error == 0) return Probe::kAccepted;
  return error == ECONNREFUSED || error == ETIMEDOUT ? Probe::kRefused : Probe::kOther;
}

}  // namespace

bool AwaitListening(const std::string& host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses) != 0) {
    return true;
  }
  auto deadline = Clock::now() + timeout;
  Probe outcome = Probe::kRefused;
  while (outcome == Probe::kRefused && Clock::now() < deadline) {
    outcome = ConnectOnce(*addresses, deadline);
    if (outcome == Probe::kRefused) std::this_thread::sleep_for(kProbeInterval);
  }
  freeaddrinfo(addresses);
  return outcome != Probe::kRefused;
}

}  // namespace nnr
