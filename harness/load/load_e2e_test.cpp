// The load generator against a small in-process HTTP server on loopback: wrk2's stall
// demonstration, the achieved open-model rate, shards that merge to one run, thresholds and exit
// codes. Every run is bounded (a few seconds, loopback only).
#include "core/file.h"
#include "json/document.h"
#include "load/coalesce.h"
#include "load/hlog.h"
#include "load/merge.h"
#include "load/plain_tcp.h"
#include "load/run_load.h"
#include "load/uring.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace konform::load {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A keep-alive HTTP/1.1 server with one thread per connection (a handful of connections in these
// tests). It can stall every response until a given time — like wrk2's ^Z demonstration — and
// delay every response by a fixed amount.
class StallServer {
public:
  explicit StallServer(std::chrono::microseconds delay = 0us) : delay_(delay) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~StallServer() {
    stop_ = true;
    boost::system::error_code ec;
    { // a blocking accept() does not return on close(): wake it with one last connection
      tcp::socket waker(ctx_);
      waker.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    }
    accept_thread_.join();
    acceptor_.close(ec);
    std::lock_guard lock(mu_);
    for (auto& s : sockets_)
      s->shutdown(tcp::socket::shutdown_both, ec);
    for (auto& t : threads_)
      t.join();
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::uint16_t port() const { return port_; }
  void stall_until(std::chrono::steady_clock::time_point t) {
    stall_until_ = t.time_since_epoch().count();
  }
  std::uint64_t served() const { return served_; }

private:
  void accept_loop() {
    while (!stop_) {
      auto sock = std::make_shared<tcp::socket>(ctx_);
      boost::system::error_code ec;
      acceptor_.accept(*sock, ec);
      if (ec) return;
      std::lock_guard lock(mu_);
      sockets_.push_back(sock);
      threads_.emplace_back([this, sock] { serve(*sock); });
    }
  }
  void serve(tcp::socket& sock) {
    sock.set_option(tcp::no_delay(true));
    net::streambuf in;
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: "
                                 "application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
    for (;;) {
      boost::system::error_code ec;
      const auto n = net::read_until(sock, in, "\r\n\r\n", ec);
      if (ec) return;
      in.consume(n);
      const auto until = std::chrono::steady_clock::time_point(
          std::chrono::steady_clock::duration(stall_until_.load()));
      if (std::chrono::steady_clock::now() < until) std::this_thread::sleep_until(until);
      if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
      net::write(sock, net::buffer(response), ec);
      if (ec) return;
      ++served_;
    }
  }

  net::io_context ctx_;
  tcp::acceptor acceptor_{ctx_};
  std::uint16_t port_ = 0;
  std::chrono::microseconds delay_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> stall_until_{0};
  std::atomic<std::uint64_t> served_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
};

LoadOptions options_for(const std::string& url_text) {
  LoadOptions o;
  o.origin = *http::parse_url(url_text);
  Step step;
  step.name = "root";
  step.request.target = o.origin.target;
  o.steps.push_back(step);
  return o;
}

TEST(LoadEngine, StallShowsInCorrectedButNotInUncorrectedLatency) {
  StallServer server;
  auto o = options_for(server.url());
  o.threads = 2;
  o.connections = 8;
  o.rate = 1000;
  o.duration = 3s;
  o.timeout = 5s;
  // The server stops answering for 1 s in the middle of the run.
  server.stall_until(std::chrono::steady_clock::now() + 2s);
  std::thread stall([&] {
    std::this_thread::sleep_for(1s);
    server.stall_until(std::chrono::steady_clock::now() + 1s);
  });
  auto r = run_load(o);
  stall.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->counters.requests, 3000u);
  EXPECT_EQ(r->counters.errors.total(), 0u);
  const auto corrected_p99 = r->corrected.value_at_percentile(99);
  const auto uncorrected_p99 = r->uncorrected.value_at_percentile(99);
  // A third of the schedule fell into the stall: waits spread evenly over 0..1 s, so the top
  // 1 % of all requests waited at least ~0.97 s; the worst waited the whole stall.
  EXPECT_GE(corrected_p99, 900'000) << "corrected p99 " << corrected_p99;
  EXPECT_GE(r->corrected.max(), 990'000);
  // Measured from the actual send only the few requests already on the wire wait: < 1 %.
  EXPECT_LT(uncorrected_p99, 100'000) << "uncorrected p99 " << uncorrected_p99;
  EXPECT_GT(r->late, 500u); // the sends queued behind the stall
  EXPECT_GE(r->lag.max(), 900'000);
}

TEST(LoadEngine, OpenModelAchievesTheRequestedRate) {
  StallServer server;
  auto o = options_for(server.url());
  o.threads = 2;
  o.connections = 10;
  o.rate = 2000;
  o.duration = 3s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NEAR(r->rps(), 2000.0, 20.0);
  EXPECT_EQ(r->sent, 6000u);
  EXPECT_EQ(r->dropped, 0u);
  EXPECT_EQ(server.served(), 6000u);
  // The schedule really took the 3 s it claims (not sent in a burst and then idle).
  EXPECT_GE(wall, 2.99);
  EXPECT_LT(wall, 3.5);
  EXPECT_NEAR(r->duration_s, 3.0, 0.03);
}

TEST(LoadEngine, ClosedModelStopsAfterTheRequestCountAndCountsStatuses) {
  StallServer server;
  auto o = options_for(server.url());
  o.threads = 2;
  o.connections = 4;
  o.requests = 500;
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->counters.requests, 500u);
  EXPECT_EQ(r->counters.status.at(200), 500u);
  EXPECT_EQ(r->corrected.total_count(), 500);
  EXPECT_TRUE(r->corrected.same_counts(r->uncorrected)); // closed model: one clock
  EXPECT_EQ(r->counters.bytes, 500u * (std::string("HTTP/1.1 200 OK\r\nContent-Type: "
                                                   "application/json\r\nContent-Length: 11\r\n\r\n")
                                           .size() +
                                       11));
}

// The nap of response coalescing must not show in latencies: a response ends when the kernel
// received it. Here the bytes sit in the socket for 30 ms before the read.
TEST(LoadEngine, AResponseEndsWhenTheKernelReceivedItNotWhenItWasRead) {
  net::io_context ctx;
  tcp::acceptor acceptor(ctx, {net::ip::make_address("127.0.0.1"), 0});
  std::error_code ec;
  const int fd = start_connect(acceptor.local_endpoint(), ec);
  ASSERT_GE(fd, 0) << ec.message();
  tcp::socket server = acceptor.accept();
  EpollSet set; // wait for the connect like the worker does
  ASSERT_FALSE(set.add(fd, 1));
  (void)set.wait_until(Clock::now() + 1s, Clock::now());
  ASSERT_FALSE(connect_error(fd));

  // The kernel turns receive stamping on a moment after the first socket asks for it (deferred
  // work): until then reads carry no stamp and the worker falls back to the read time.
  char buf[64];
  timespec received{};
  for (int i = 0; i < 100 && received.tv_sec == 0; ++i) {
    net::write(server, net::buffer(std::string_view("x")));
    std::this_thread::sleep_for(10ms);
    ASSERT_EQ(recv_some(fd, buf, sizeof buf, received).status, IoResult::Status::ok);
  }
  ASSERT_NE(received.tv_sec, 0) << "the kernel never stamped a received segment";

  const auto sent = Clock::now();
  net::write(server, net::buffer(std::string_view("HTTP/1.1 200 OK\r\n")));
  std::this_thread::sleep_for(30ms);
  const auto r = recv_some(fd, buf, sizeof buf, received);
  const auto read_at = Clock::now();
  ::close(fd);
  ASSERT_EQ(r.status, IoResult::Status::ok);
  const auto arrived = ReceiveClock().to_steady(received, sent, read_at);
  EXPECT_LT(arrived - sent, 10ms) << "the stamp is the read time, not the arrival";
  EXPECT_GE(read_at - arrived, 25ms);
}

// The same through io_uring: a multishot read carries the kernel's stamp of a response that sat
// in the socket for 30 ms before the thread asked for completions.
TEST(LoadEngine, AnIoUringReadCarriesTheKernelReceiveStamp) {
  std::error_code ec;
  auto ring = Uring::open(8, ec);
  if (!ring) GTEST_SKIP() << "io_uring refused here (" << ec.message() << "): epoll is used";
  net::io_context ctx;
  tcp::acceptor acceptor(ctx, {net::ip::make_address("127.0.0.1"), 0});
  const int fd = start_connect(acceptor.local_endpoint(), ec);
  ASSERT_GE(fd, 0) << ec.message();
  tcp::socket server = acceptor.accept();
  ring->connect_done(fd, 7);
  auto done = ring->wait_until(Clock::now() + 1s, Clock::now());
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].op, Uring::Op::connect);
  EXPECT_EQ(done[0].token, 7u);
  ASSERT_FALSE(connect_error(fd));
  ring->recv(fd, 7);

  auto next = [&](std::string_view bytes, std::chrono::milliseconds sit) {
    net::write(server, net::buffer(bytes));
    std::this_thread::sleep_for(sit);
    done = ring->wait_until(Clock::now() + 1s, Clock::now());
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].op, Uring::Op::recv);
    EXPECT_TRUE(done[0].more) << "the multishot read stays armed";
    const auto got = ring->read(done[0]);
    EXPECT_EQ(std::string_view(got.data, got.size), bytes);
    ring->recycle(done[0].buffer);
    return got.stamp;
  };
  timespec stamp{}; // stamping starts a moment after the first socket asks (see above)
  for (int i = 0; i < 100 && stamp.tv_sec == 0; ++i)
    stamp = next("x", 10ms);
  ASSERT_NE(stamp.tv_sec, 0) << "the kernel never stamped a received segment";

  const auto sent = Clock::now();
  stamp = next("HTTP/1.1 200 OK\r\n", 30ms);
  const auto read_at = Clock::now();
  const auto arrived = ReceiveClock().to_steady(stamp, sent, read_at);
  EXPECT_LT(arrived - sent, 10ms) << "the stamp is the read time, not the arrival";
  EXPECT_GE(read_at - arrived, 25ms);

  server.close(); // the peer's close ends the read with no payload
  done = ring->wait_until(Clock::now() + 1s, Clock::now());
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(ring->read(done[0]).size, 0u);
  if (done[0].buffer >= 0) ring->recycle(done[0].buffer);
  ring->cancel_all(fd);
  ::close(fd);
}

// Many connections against a fast server: the thread naps and reads responses in batches, and
// every request is still counted once, with its latency, on io_uring and on epoll alike.
TEST(LoadEngine, CoalescedReadsKeepEveryCountExact) {
  for (const bool io_uring : {true, false}) {
    SCOPED_TRACE(io_uring ? "io=auto" : "io=epoll");
    StallServer server;
    auto o = options_for(server.url());
    o.threads = 1;
    o.connections = 32;
    o.requests = 3000;
    o.io_uring = io_uring;
    ASSERT_GT(o.coalesce.longest.count(), 0); // on by default
    auto r = run_load(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->counters.requests, 3000u);
    EXPECT_EQ(r->counters.status.at(200), 3000u);
    EXPECT_EQ(r->counters.errors.total(), 0u);
    EXPECT_EQ(r->corrected.total_count(), 3000);
    EXPECT_GE(r->corrected.min(), 1); // no response ends before its request was sent
    EXPECT_EQ(server.served(), 3000u);
    const bool on_uring =
        std::find(r->settings.begin(), r->settings.end(), "io=io_uring") != r->settings.end();
    std::error_code ec;
    EXPECT_EQ(on_uring, io_uring && Uring::open(2, ec) != nullptr);
  }
}

TEST(LoadEngine, TimeoutsAndRefusedConnectionsAreCountedNotFatal) {
  StallServer server;
  auto o = options_for(server.url());
  o.threads = 1;
  o.connections = 2;
  o.rate = 100;
  o.duration = 1s;
  o.timeout = 200ms;
  server.stall_until(std::chrono::steady_clock::now() + 3s);
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->counters.errors.timeout, 0u);
  server.stall_until(std::chrono::steady_clock::now());

  // Nothing listens on this port any more.
  std::uint16_t dead_port = 0;
  {
    StallServer gone;
    dead_port = gone.port();
  }
  auto dead = options_for("http://127.0.0.1:" + std::to_string(dead_port) + "/");
  dead.threads = 1;
  dead.connections = 1;
  dead.duration = 300ms;
  auto d = run_load(dead);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->counters.requests, 0u);
  EXPECT_GT(d->counters.errors.connect, 0u);
}

TEST(LoadEngine, WeightedMixFollowsTheWeights) {
  StallServer server;
  auto o = options_for(server.url());
  o.steps[0].weight = 3;
  Step other = o.steps[0];
  other.name = "other";
  other.weight = 1;
  o.steps.push_back(other);
  o.requests = 400;
  o.threads = 2;
  o.connections = 4;
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[0].counters.requests, 300u);
  EXPECT_EQ(r->steps[1].counters.requests, 100u);
}

// ---- the konform binary: shards, merge, exit codes ----

struct CliRun {
  int code = -1;
  std::string out;
};

// stdout only unless asked: most runs print a report that is read as it is.
CliRun run_konform(const std::string& args, bool with_stderr = false) {
  auto r = test_support::run_binary(args, with_stderr ? test_support::Streams::both
                                                      : test_support::Streams::stdout_only);
  return {r.code, std::move(r.output)};
}

TEST(LoadCli, TwoShardsMergeToTheRunOfOneProcess) {
  StallServer server(2ms); // every answer takes ~2 ms: a distribution both runs share
  const test_support::ScratchDir scratch("konform-load-e2e");
  const auto dir = scratch.path();
  const std::string common = "load --url " + server.url() + " -R 400 -d 2s -t 1 -c 4 -q";
  CliRun single;
  single = run_konform(common + " --json " + dir + "/one.json");
  ASSERT_EQ(single.code, 0) << single.out;
  CliRun a, b;
  std::thread ta([&] { a = run_konform(common + " --shard 0/2 --hlog " + dir + "/a.hlog"); });
  std::thread tb([&] { b = run_konform(common + " --shard 1/2 --hlog " + dir + "/b.hlog"); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.code, 0) << a.out;
  ASSERT_EQ(b.code, 0) << b.out;

  std::vector<MergeInput> inputs;
  Histogram sum, step_uncorrected_sum;
  for (const char* name : {"a.hlog", "b.hlog"}) {
    auto text = file::read(dir + "/" + name);
    ASSERT_TRUE(text.ok());
    auto info = read_hlog(*text, name, [&](HlogEntry& e) {
      if (e.tag.empty()) {
        ASSERT_TRUE(sum.add(e.histogram).ok());
      } else if (e.tag.starts_with("step-uncorrected:")) {
        ASSERT_TRUE(step_uncorrected_sum.add(e.histogram).ok());
      }
    });
    ASSERT_TRUE(info.ok());
    inputs.push_back({name, *text});
  }
  auto merged = merge_hlogs(inputs);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const auto& m = merged->result;
  // The shards split the 800 slots of the schedule between them, nothing lost or doubled.
  EXPECT_EQ(m.counters.requests, 800u);
  EXPECT_EQ(m.corrected.total_count(), 800);
  EXPECT_TRUE(m.corrected.same_counts(sum)); // merge adds exactly
  // The one step's uncorrected latency is in the logs and adds up the same way.
  ASSERT_EQ(m.steps.size(), 1u);
  EXPECT_EQ(step_uncorrected_sum.total_count(), 800);
  EXPECT_TRUE(m.steps[0].uncorrected.same_counts(step_uncorrected_sum));
  EXPECT_EQ(m.steps[0].corrected.total_count(), 800);
  EXPECT_NEAR(m.rps(), 400.0, 4.0);

  auto one_text = file::read(dir + "/one.json");
  ASSERT_TRUE(one_text.ok());
  auto p50_at = one_text->find("\"p50\": ");
  ASSERT_NE(p50_at, std::string::npos);
  const double single_p50 = std::stod(one_text->substr(p50_at + 7));
  // Same server, same schedule: the medians agree to the server's own jitter (a few percent).
  EXPECT_NEAR(static_cast<double>(m.corrected.value_at_percentile(50)), single_p50,
              single_p50 * 0.1);

  auto cli = run_konform("merge " + dir + "/a.hlog " + dir + "/b.hlog --threshold 'requests==800'" +
                         " --json " + dir + "/merged.json");
  EXPECT_EQ(cli.code, 0) << cli.out;
  EXPECT_NE(cli.out.find("800 requests"), std::string::npos) << cli.out;
  auto merged_json = file::read(dir + "/merged.json");
  ASSERT_TRUE(merged_json.ok());
  auto doc = json::Document::parse(*merged_json);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  std::int64_t p99 = 0;
  ASSERT_EQ(doc->root()["steps"].at(0)["latency_us"]["uncorrected"]["p99"].get(p99),
            simdjson::SUCCESS)
      << *merged_json;
  EXPECT_EQ(p99, step_uncorrected_sum.value_at_percentile(99));
  std::filesystem::remove_all(dir);
}

TEST(LoadCli, ThresholdsGiveTheDocumentedExitCodes) {
  StallServer server;
  const std::string base = "load --url " + server.url() + " -n 200 -t 1 -c 2 -q";
  auto pass = run_konform(base + " --threshold 'p99<10s' --threshold 'error_rate<1%'");
  EXPECT_EQ(pass.code, 0) << pass.out;
  EXPECT_NE(pass.out.find("threshold ok:     p99<10s"), std::string::npos) << pass.out;

  auto fail = run_konform(base + " --threshold 'p99<1us' --threshold 'rps>100000000'");
  EXPECT_EQ(fail.code, 1) << fail.out;
  EXPECT_NE(fail.out.find("threshold FAILED: p99<1us"), std::string::npos) << fail.out;
  EXPECT_NE(fail.out.find("threshold FAILED: rps>100000000"), std::string::npos) << fail.out;

  EXPECT_EQ(run_konform(base + " --threshold 'p99<<5'").code, 2);
  // The closed model has no schedule lag: a gate on it is refused before the run, not passed.
  auto lag = run_konform(base + " --threshold 'lag_p99<1ms'", /*with_stderr=*/true);
  EXPECT_EQ(lag.code, 2) << lag.out;
  EXPECT_NE(lag.out.find("--threshold 'lag_p99<1ms': the schedule lag is measured in the open "
                         "model only"),
            std::string::npos)
      << lag.out;
  EXPECT_EQ(run_konform(base + " --threshold 'latency<5ms'").code, 2);
  EXPECT_EQ(run_konform("load --url " + server.url() + " --shard 2/2 -n 1").code, 2);
  EXPECT_EQ(run_konform("load --url ftp://x -n 1").code, 2);

  std::uint16_t dead_port = 0;
  {
    StallServer gone;
    dead_port = gone.port();
  }
  EXPECT_EQ(run_konform("load --url http://127.0.0.1:" + std::to_string(dead_port) +
                        "/ -d 300ms -t 1 -c 1 -q")
                .code,
            3);
}

TEST(LoadCli, CoalesceTakesADurationAndShowsInTheSettings) {
  StallServer server;
  const std::string base = "load --url " + server.url() + " -n 50 -t 1 -c 2 -q";
  const auto on = run_konform(base);
  EXPECT_EQ(on.code, 0);
  EXPECT_NE(on.out.find("coalesce_us=100 "), std::string::npos) << on.out; // the default
  const auto off = run_konform(base + " --coalesce 0");
  EXPECT_EQ(off.code, 0);
  EXPECT_NE(off.out.find("coalesce_us=0 "), std::string::npos) << off.out;
  const auto bad = run_konform(base + " --coalesce fast", /*with_stderr=*/true);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("--coalesce 'fast': expected a duration"), std::string::npos) << bad.out;
}

TEST(LoadCli, IoChoosesTheBackendAndShowsItInTheSettings) {
  StallServer server;
  const std::string base = "load --url " + server.url() + " -n 50 -t 1 -c 2 -q";
  std::error_code ec;
  const bool uring_here = Uring::open(2, ec) != nullptr;
  const auto automatic = run_konform(base);
  EXPECT_EQ(automatic.code, 0);
  EXPECT_NE(automatic.out.find(uring_here ? "io=io_uring " : "io=epoll "), std::string::npos)
      << automatic.out;
  const auto epoll = run_konform(base + " --io epoll");
  EXPECT_EQ(epoll.code, 0);
  EXPECT_NE(epoll.out.find("io=epoll "), std::string::npos) << epoll.out;
  EXPECT_NE(epoll.out.find("50 requests in"), std::string::npos) << epoll.out;
  const auto bad = run_konform(base + " --io fast", /*with_stderr=*/true);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("--io 'fast': expected auto or epoll"), std::string::npos) << bad.out;
}

TEST(LoadCli, TokensNeverAppearInOutputOrFiles) {
  StallServer server;
  const test_support::ScratchDir scratch("konform-load-e2e");
  const auto dir = scratch.path();
  auto r =
      run_konform("load --url " + server.url() + " -n 50 -t 1 -c 1 --token s3cr3t-t0ken --json " +
                      dir + "/t.json --hlog " + dir + "/t.hlog",
                  /*with_stderr=*/true);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("s3cr3t-t0ken"), std::string::npos);
  for (const char* f : {"/t.json", "/t.hlog"}) {
    auto text = file::read(dir + f);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(text->find("s3cr3t-t0ken"), std::string::npos) << f;
  }
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace konform::load
