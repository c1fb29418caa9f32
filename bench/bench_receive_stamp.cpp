// What the kernel receive stamps cost a load thread: one loopback TCP read of a 250-byte response
// with recv (no stamp), and with recvmsg and an SO_TIMESTAMPNS control message (what the plain-http
// load path does, load/plain_tcp.cpp). Each iteration writes the response from the server side
// first, so the figures include that send; the difference between the two is the stamp's cost.
#include "load/plain_tcp.h"

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace {

struct LoopbackPair {
  int client = -1, server = -1;
  explicit LoopbackPair(bool stamps) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener, 1);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    server = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    const int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (stamps) ::setsockopt(client, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  }
  ~LoopbackPair() {
    ::close(client);
    ::close(server);
  }
};

constexpr std::size_t response_size = 250; // an nginx static-file response with headers

void BM_ReadWithRecv(benchmark::State& state) {
  LoopbackPair pair(/*stamps=*/false);
  char response[response_size];
  std::memset(response, 'x', sizeof response);
  char buf[16384];
  for (auto _ : state) {
    if (::send(pair.server, response, sizeof response, 0) < 0) state.SkipWithError("send");
    benchmark::DoNotOptimize(::recv(pair.client, buf, sizeof buf, 0));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadWithRecv);

void BM_ReadWithReceiveStamp(benchmark::State& state) {
  LoopbackPair pair(/*stamps=*/true);
  char response[response_size];
  std::memset(response, 'x', sizeof response);
  char buf[16384];
  timespec received{};
  for (auto _ : state) {
    if (::send(pair.server, response, sizeof response, 0) < 0) state.SkipWithError("send");
    benchmark::DoNotOptimize(konform::load::recv_some(pair.client, buf, sizeof buf, received));
  }
  if (received.tv_sec == 0) state.SkipWithError("no receive stamp came");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadWithReceiveStamp);

} // namespace

BENCHMARK_MAIN();
