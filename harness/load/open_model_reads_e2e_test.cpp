// The open model over plain http: a long response that arrives just before a send is due must not
// make the send late. The server answers each request with a 2 MiB body shortly before the next
// slot (at 50 req/s a slot every 20 ms; the answer 19.4 ms after the request came); reading it
// takes the load thread about a millisecond (128 reads of 16 KiB). A load thread that reads it
// whole before it looks at the clock sends most slots hundreds of µs late (p50 400-440 µs in a
// debug build before the change); one that stops reading close to a send, sends, and reads the
// rest after it keeps the schedule.
#include "load/run_load.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace konform::load {
namespace {

using namespace std::chrono_literals;

// Keep-alive HTTP/1.1 on loopback, one thread per connection: each request (a GET without a
// body) is answered `delay` after it came, with a body of `body_size` bytes.
class LongResponseServer {
public:
  LongResponseServer(std::size_t body_size, std::chrono::microseconds delay) : delay_(delay) {
    response_ = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                std::to_string(body_size) + "\r\n\r\n" + std::string(body_size, 'x');
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error(std::string("test server: ") + std::strerror(errno));
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~LongResponseServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR); // wakes accept()
    accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard lock(mu_);
    for (int fd : fds_)
      ::shutdown(fd, SHUT_RDWR);
    for (auto& t : threads_)
      t.join();
    for (int fd : fds_)
      ::close(fd);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/big"; }

private:
  void accept_loop() {
    while (!stop_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      fds_.push_back(fd);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    std::string in;
    char buf[4096];
    for (;;) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      in.erase(0, end + 4);
      std::this_thread::sleep_for(delay_);
      for (std::size_t sent = 0; sent < response_.size();) {
        const auto n = ::send(fd, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
      }
    }
  }

  std::string response_;
  std::chrono::microseconds delay_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
};

TEST(OpenModelReads, ALongResponseJustBeforeASendDoesNotMakeItLate) {
  LongResponseServer server(2u << 20, 19'400us);
  LoadOptions o;
  o.origin = *http::parse_url(server.url());
  Step step;
  step.name = "big";
  step.request.target = o.origin.target;
  o.steps.push_back(step);
  o.threads = 1;
  o.connections = 16;
  o.rate = 50;
  o.duration = 3s;
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sent, 150u);
  EXPECT_GE(r->counters.requests, 140u) << "the long responses were read in full";
  EXPECT_EQ(r->counters.errors.total(), 0u);
  // Each response came ~0.6 ms before the next slot and takes about a millisecond to read: read
  // whole first, most sends would be hundreds of µs late. The median is what the test asserts
  // (a busy host's scheduler can delay any single send).
  EXPECT_LT(r->lag.value_at_percentile(50), 200)
      << "schedule lag p50 " << r->lag.value_at_percentile(50) << " us, p90 "
      << r->lag.value_at_percentile(90) << " us, sent " << r->sent << ", responses "
      << r->counters.requests << ", late " << r->late;
}

} // namespace
} // namespace konform::load
