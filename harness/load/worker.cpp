// The scheduling and accounting of one load thread, above its transport. The transport (plain
// epoll, io_uring, TLS, HTTP/2: transport_*.h) is chosen once per thread (run_worker) and is a
// template argument, so connect/send/read/close cost no virtual call: the transport calls back
// on_connected/consume/on_eof/fail, and the worker decides what each lane sends next and counts.
#include "load/worker.h"

#include "load/coalesce.h"
#include "load/lane.h"
#include "load/sample.h"
#include "load/transport_h2.h"
#include "load/transport_plain.h"
#include "load/transport_tls.h"

#include <sys/prctl.h>

#include <algorithm>

namespace konform::load {
namespace {

constexpr std::size_t pending_capacity = 1 << 16; // queued open-model sends per thread
constexpr auto tick_period = std::chrono::milliseconds(10);
constexpr auto reconnect_backoff = std::chrono::milliseconds(100);
constexpr std::int64_t late_threshold_us = 1000;
// Open model: how early the slot timer fires, and how close a send must be to spin for it. Waking
// an idle (virtual) CPU from the timer took 40-200 µs at p99 on the 2-core bench machine; firing
// 60 µs early and spinning the rest brought the p99 schedule lag from 120 µs to ~20 µs at
// 10k req/s. A send further away than spin_window sleeps on the timer, so the spin costs at most
// spin_window of CPU per send and nothing at low rates beyond that.
constexpr auto wake_early = std::chrono::microseconds(60);
constexpr auto spin_window = std::chrono::microseconds(60);

std::int64_t micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

struct PendingSend {
  std::uint64_t slot;
  Clock::time_point intended;
};

template <template <class> class Io> class Worker {
public:
  using Transport = Io<Worker>;
  using Lane = typename Transport::Lane;

  template <class... Args>
  Worker(const WorkerConfig& cfg, Collector& collector, Args&&... args)
      : cfg_(cfg), opt_(*cfg.options), steps_(*cfg.steps), collector_(collector),
        io_(*this, cfg, std::forward<Args>(args)...),
        schedule_(opt_.rate, opt_.shard, cfg.threads, cfg.index, weighted_cycle(opt_.steps)),
        cur_(collector.fresh()), pending_(pending_capacity) {
    open_ = opt_.rate > 0;
    if (opt_.max_in_flight > 0)
      max_in_flight_ = std::max<std::uint64_t>(1, opt_.max_in_flight / cfg.threads);
    const auto lanes = cfg.connections * Transport::lanes_per_connection(opt_);
    for (unsigned i = 0; i < lanes; ++i)
      lanes_.push_back(std::make_unique<Lane>(i));
    idle_.reserve(lanes_.size());
  }

  void run() {
    if (open_) { // connect now: the connections are ready when the first slot is due
      connect_all();
      io_.arm(wake_slot, cfg_.start + schedule_.offset_of(schedule_.slot(0)) - wake_early);
    } else { // closed: the first request of every connection goes out at the start
      io_.arm(wake_start, cfg_.start);
    }
    io_.arm(wake_tick, Clock::now() + tick_period);
    io_.run();
    publish_interval();
    collector_.finish(cfg_.index, std::move(examples_), std::move(malformed_examples_));
  }

  // ---- what the transport calls ----
  Lane& lane(std::size_t i) { return *lanes_[i]; }
  std::size_t lane_count() const { return lanes_.size(); }
  const PreparedStep& step_of(const LaneBase& c) const { return steps_[c.step]; }
  bool finished() const { return finished_; }
  bool open_model() const { return open_; }
  bool sending_done() const { return sending_done_; }

  // How long the loop may nap before it polls (coalesce.h): never in the open model, where
  // sends are due at their times.
  Clock::duration nap() const {
    return open_ ? Clock::duration::zero() : opt_.coalesce.nap(busy_, completion_gap_);
  }

  void fire(Wake w) {
    switch (w) {
    case wake_start:
      return connect_all();
    case wake_tick:
      return on_tick();
    case wake_slot:
      return on_slot_timer();
    default:
      return;
    }
  }

  // The lane's connection is up (or, over HTTP/2, its session).
  void on_connected(Lane& c) { ready(c); }

  // The server refused the lane's request without processing it (HTTP/2: a stream beyond a
  // GOAWAY's last stream id, RFC 9113 §6.8): not an error; the same request goes out again,
  // with its intended time, once the lane is connected again.
  void refused(Lane& c) {
    if (c.state != LaneBase::State::busy) return;
    --busy_;
    close(c);
    if (finished_) return;
    c.resend = true;
    connect(c);
  }

  // A lane whose connection failed without a request outstanding on it: back off and reconnect
  // without counting (HTTP/2: the failure was counted once, on the connection's first lane).
  void retry_later(Lane& c) {
    close(c);
    c.retry_at = Clock::now() + reconnect_backoff;
  }

  // The peer closed a lane that had no request outstanding: not an error, reconnect.
  void peer_closed_idle(Lane& c) {
    close(c);
    if (!finished_ && !sending_done_) connect(c);
  }

  void on_eof(Lane& c) {
    c.parser.on_eof();
    if (c.parser.done()) return complete(c, /*reuse=*/false);
    fail(c, &ErrorCounts::read);
  }

  // Feeds bytes to the parser; true when the response needs more.
  bool consume(Lane& c, const char* data, std::size_t n) {
    const auto used = c.parser.feed(data, n);
    note_first_body(c);
    if (c.parser.failed()) {
      malformed(c, c.parser.error());
      return false;
    }
    if (c.parser.done()) {
      // Bytes after the response without a request for them: the server broke the framing (the
      // response counts, as a failed one).
      const bool trailing = used < n;
      if (trailing && c.measured) {
        ++cur_->counters.errors.protocol;
        ++cur_->steps[c.step].counters.errors.protocol;
      }
      complete(c, !trailing && c.parser.keep_alive(), trailing);
      return false;
    }
    return true;
  }

  // HTTP/2: the session did the framing; a stream's final header block, its DATA, its end.
  void stream_head(Lane& c, int status, std::uint64_t header_bytes, bool encoded, bool gzip) {
    c.parser.framed_head(status, header_bytes, encoded, gzip);
  }
  void stream_data(Lane& c, const char* data, std::size_t n) {
    c.parser.framed_body(data, n);
    note_first_body(c);
  }
  void stream_end(Lane& c) {
    c.parser.framed_end();
    complete(c, /*reuse=*/true);
  }

  // What came was no HTTP response: a protocol error without a response (it counts as one
  // failed attempt), and the first few say what was wrong, for the report.
  void malformed(Lane& c, const char* why) {
    const bool counted =
        c.state == LaneBase::State::busy ? c.measured : Clock::now() >= cfg_.measure_start;
    if (counted && malformed_examples_.size() < 5) { // distinct ones: a few allocations at most
      auto example = steps_[c.step].name + ": " + why;
      if (std::find(malformed_examples_.begin(), malformed_examples_.end(), example) ==
          malformed_examples_.end())
        malformed_examples_.push_back(std::move(example));
    }
    fail(c, &ErrorCounts::protocol);
  }

  // A failed connect, write, read or timeout: count it, drop the connection, reconnect.
  void fail(Lane& c, std::uint64_t ErrorCounts::*category) {
    const auto now = Clock::now();
    const bool was_busy = c.state == LaneBase::State::busy;
    if (was_busy) {
      --busy_;
      if (c.measured) {
        count(cur_->counters.errors, category);
        count(cur_->steps[c.step].counters.errors, category);
      }
    } else if (now >= cfg_.measure_start) {
      count(cur_->counters.errors, category);
    }
    close(c);
    if (finished_) return;
    // Refused connects back off so a dead target does not spin the CPU; others retry at once.
    if (category == &ErrorCounts::connect) {
      c.retry_at = now + reconnect_backoff;
    } else {
      connect(c);
    }
    maybe_finish();
  }

private:
  static void count(ErrorCounts& e, std::uint64_t ErrorCounts::*category) {
    ++(e.*category);
    if (category == &ErrorCounts::protocol) ++e.malformed; // without a response: see result.h
  }

  // ---- connections ----
  void connect_all() {
    for (auto& c : lanes_)
      connect(*c);
  }

  void connect(Lane& c) {
    close(c);
    c.state = LaneBase::State::connecting;
    c.connect_started = Clock::now();
    io_.connect(c, cfg_.endpoints[(cfg_.index + reconnects_++) % cfg_.endpoints.size()]);
  }

  void close(Lane& c) {
    ++c.generation;
    io_.close(c);
    c.state = LaneBase::State::down;
  }

  void ready(Lane& c) {
    c.state = LaneBase::State::idle;
    if (c.resend) {
      c.resend = false;
      return send(c, c.slot, c.intended, Clock::now(), /*again=*/true);
    }
    give_work(c, Clock::now());
  }

  // ---- sending ----
  bool closed_model_has_more(Clock::time_point now) const {
    if (stopping_) return false;
    if (cfg_.total_slots > 0) return schedule_.slot(next_j_) < cfg_.total_slots;
    return now < cfg_.deadline;
  }

  // `now`: when the lane became free (a clock read costs as much as the rest of a send's
  // bookkeeping, so the caller's is reused).
  void give_work(Lane& c, Clock::time_point now) {
    if (open_) {
      if (pending_count_ > 0) {
        const auto p = pending_[pending_head_];
        pending_head_ = (pending_head_ + 1) % pending_.size();
        --pending_count_;
        return send(c, p.slot, p.intended, now);
      }
      idle_.push_back(&c);
      return maybe_finish();
    }
    if (!closed_model_has_more(now)) {
      sending_done_ = true;
      idle_.push_back(&c);
      return maybe_finish();
    }
    send(c, schedule_.slot(next_j_++), now, now); // closed: corrected == uncorrected
  }

  // `again`: a refused request sent once more (counted as sent the first time).
  void send(Lane& c, std::uint64_t slot, Clock::time_point intended, Clock::time_point now,
            bool again = false) {
    c.slot = slot;
    c.step = schedule_.step_of(slot);
    const PreparedStep& s = steps_[c.step];
    c.sent = now;
    c.intended = intended;
    c.measured = intended >= cfg_.measure_start;
    c.capturing = opt_.validate && c.measured && (++validate_counter_ % opt_.validate_every == 0);
    if (c.capturing) c.capture.clear();
    c.parser.reset(s.head, c.capturing ? &c.capture : nullptr);
    c.parser.count_rows(s.streaming);
    c.have_first_body = false;
    c.received = {};
    c.state = LaneBase::State::busy;
    ++busy_;
    if (c.measured && !again) {
      ++cur_->sent;
      if (open_) {
        const auto lag = micros(c.sent - intended);
        cur_->lag.record(lag);
        if (lag > late_threshold_us) ++cur_->late;
      }
    }
    io_.send(c, s);
  }

  // ---- receiving ----
  // Only a stream's latency ends at its first row (record()).
  void note_first_body(Lane& c) {
    if (!c.have_first_body && steps_[c.step].streaming && c.parser.body_bytes() > 0) {
      c.first_body = receive_clock_.to_steady(c.received, c.sent, Clock::now());
      c.have_first_body = true;
    }
  }

  // `broken`: the response came with bytes after it (already counted as a protocol error).
  void complete(Lane& c, bool reuse, bool broken = false) {
    const auto now = Clock::now();
    --busy_;
    ++completions_;
    if (c.measured) record(c, receive_clock_.to_steady(c.received, c.sent, now), now, broken);
    if (!reuse) {
      close(c);
      if (!finished_) connect(c);
      return maybe_finish();
    }
    c.state = LaneBase::State::idle;
    give_work(c, now);
  }

  // `arrived`: when the kernel received the end of the response (on https: `now`).
  void record(Lane& c, Clock::time_point arrived, Clock::time_point now, bool broken) {
    const PreparedStep& s = steps_[c.step];
    StepData& sd = cur_->steps[c.step];
    // A stream never "ends": its latency is the time to the first row.
    const auto end = s.streaming ? (c.have_first_body ? c.first_body : now) : arrived;
    const auto corrected = micros(end - c.intended);
    const auto uncorrected = micros(end - c.sent);
    cur_->corrected.record(corrected);
    cur_->uncorrected.record(uncorrected);
    sd.corrected.record(corrected);
    sd.uncorrected.record(uncorrected);
    const auto bytes = c.parser.header_bytes() + c.parser.body_bytes();
    const auto status = static_cast<std::size_t>(std::clamp(c.parser.status(), 0, 599));
    // A failed response counts once in the error rate, whichever categories it is in.
    const bool violated = c.capturing && validate(c, sd, s);
    const bool failed = status >= 400 || broken || violated;
    for (HotCounters* hc : {&cur_->counters, &sd.counters}) {
      ++hc->requests;
      hc->bytes += bytes;
      ++hc->status[status];
      if (status >= 400) ++hc->errors.status;
      if (failed) ++hc->errors.failed_responses;
    }
    if (s.streaming) {
      ++sd.streams;
      sd.rows += c.parser.body_rows();
      sd.stream_seconds += std::chrono::duration<double>(now - c.sent).count();
      if (c.have_first_body) sd.time_to_first_row.record(micros(c.first_body - c.sent));
    }
  }

  // True when the sampled response breaks the protocol (counted in note_violation).
  bool validate(Lane& c, StepData& sd, const PreparedStep& s) {
    auto verdict = check_sample(s, c.parser, c.capture);
    if (verdict.validated) ++cur_->validated;
    if (!verdict.error) return false;
    note_violation(sd, std::move(*verdict.error));
    return true;
  }

  void note_violation(StepData& sd, std::string example) {
    ++cur_->violations;
    ++cur_->counters.errors.protocol;
    ++sd.counters.errors.protocol;
    if (examples_.size() < 5) examples_.push_back(std::move(example));
  }

  // ---- open model ----
  // The timer wakes the thread wake_early before a send is due (waking an idle CPU takes tens of
  // µs); the thread covers the last stretch by spinning on the clock, as bench/floor_loop.cpp
  // does. Over a transport whose responses carry the kernel's receive stamp (plain epoll), the
  // spin reads nothing: a response handled in it (a recvmsg, the parse, the histograms: ~5-20 µs
  // here) would make the send late, and read a few µs later its latency is the same. Its I/O is
  // polled once after each send and once when the timer woke the thread, so a due send waits for
  // nothing but the send before it. With no idle lane, or over a transport that stamps a
  // response when it reads it (TLS, HTTP/2), the spin re-posts this handler instead, so the
  // reactor keeps polling I/O (epoll_wait with a zero timeout) between the clock checks. The spin
  // is bounded: it only runs when the next send is at most spin_window away.
  void on_slot_timer() {
    if (finished_) return;
    for (;;) {
      const auto slot = schedule_.slot(next_j_);
      if (slot >= cfg_.total_slots || stopping_) {
        sending_done_ = true;
        return maybe_finish();
      }
      const auto at = cfg_.start + schedule_.offset_of(slot);
      auto now = Clock::now(); // again for every slot: a send takes a few µs
      if (at > now) {
        if (at - now > spin_window) {
          polled_ = true; // the I/O that is ready when the timer fires is read first
          return io_.arm(wake_slot, at - wake_early);
        }
        if (!polled_ || !Transport::receive_stamps || idle_.empty()) {
          polled_ = true;
          return io_.soon(wake_slot);
        }
        while ((now = Clock::now()) < at) {
        }
      }
      ++next_j_;
      polled_ = false;
      dispatch(slot, at, now);
    }
  }

  void dispatch(std::uint64_t slot, Clock::time_point intended, Clock::time_point now) {
    const bool measured = intended >= cfg_.measure_start;
    if (max_in_flight_ > 0 && busy_ + pending_count_ >= max_in_flight_) {
      if (measured) ++cur_->dropped;
      return;
    }
    if (!idle_.empty()) {
      Lane* c = idle_.back();
      idle_.pop_back();
      return send(*c, slot, intended, now);
    }
    if (pending_count_ == pending_.size()) {
      if (measured) ++cur_->dropped;
      return;
    }
    pending_[(pending_head_ + pending_count_) % pending_.size()] = {slot, intended};
    ++pending_count_;
  }

  // ---- housekeeping: timeouts, reconnects, intervals, the end ----
  void on_tick() {
    const auto now = Clock::now();
    receive_clock_.refresh();
    completion_gap_ =
        (now - last_tick_) / static_cast<Clock::rep>(std::max<std::uint64_t>(1, completions_));
    completions_ = 0;
    last_tick_ = now;
    for (auto& cp : lanes_) {
      Lane& c = *cp;
      if (c.state == LaneBase::State::busy) {
        const PreparedStep& s = steps_[c.step];
        if (s.streaming && s.stream_for.count() > 0 && now - c.sent >= s.stream_for) {
          complete(c, /*reuse=*/false); // the stream was read for as long as asked
        } else if (now - c.sent > opt_.timeout) {
          fail(c, &ErrorCounts::timeout);
        }
      } else if (c.state == LaneBase::State::connecting && now - c.connect_started > opt_.timeout) {
        fail(c, &ErrorCounts::connect);
      } else if (c.state == LaneBase::State::down && !finished_ && now >= c.retry_at &&
                 now >= cfg_.start) {
        connect(c);
      }
    }
    if (!open_ && !sending_done_ && !closed_model_has_more(now)) sending_done_ = true;
    while (now >= cfg_.measure_start + std::chrono::seconds(interval_ + 1)) {
      publish_interval();
      ++interval_;
    }
    if (sending_done_ && sending_done_at_ == Clock::time_point{}) sending_done_at_ = now;
    // -d: the duration is a deadline, whatever --timeout says (run_load.cpp, abandon_grace).
    if (now >= cfg_.abandon_at) return finish(/*abandon=*/true);
    // Responses still missing a timeout after the last send will never be counted: stop.
    if (sending_done_ && now - sending_done_at_ > opt_.timeout + tick_period * 2) return finish();
    maybe_finish();
    if (!finished_) io_.arm(wake_tick, now + tick_period);
  }

  void publish_interval() {
    if (Clock::now() < cfg_.measure_start && cur_->counters.requests == 0 &&
        cur_->counters.errors.total() == 0)
      return; // warm-up: nothing measured yet
    cur_ = collector_.publish(cfg_.index, interval_, std::move(cur_));
  }

  void maybe_finish() {
    if (finished_ || !sending_done_) return;
    if (busy_ == 0 && pending_count_ == 0) finish();
  }

  // abandon: the duration ended (-d) with these requests outstanding for less than --timeout:
  // `unfinished`, not errors (a healthy server has one in flight per connection at any moment).
  // Otherwise the last responses were waited for as long as --timeout: a timeout.
  void finish(bool abandon = false) {
    if (finished_) return;
    finished_ = true;
    for (auto& c : lanes_) {
      if (c->state == LaneBase::State::busy && c->measured) {
        if (abandon && steps_[c->step].streaming) { // read for as long as the run lasted
          complete(*c, /*reuse=*/false);
          continue;
        }
        if (abandon) {
          ++cur_->unfinished;
        } else {
          ++cur_->counters.errors.timeout;
          ++cur_->steps[c->step].counters.errors.timeout;
        }
      }
      close(*c);
    }
    busy_ = 0;
    if (pending_count_ > 0) {
      cur_->dropped += pending_count_;
      pending_count_ = 0;
    }
    io_.cancel_timers();
  }

  const WorkerConfig& cfg_;
  const LoadOptions& opt_;
  const std::vector<PreparedStep>& steps_;
  Collector& collector_;
  Transport io_; // before the lanes: they are closed before it goes
  Schedule schedule_;
  std::unique_ptr<IntervalData> cur_; // swapped for empty storage at each hand-over
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Lane*> idle_;
  std::vector<PendingSend> pending_;
  std::size_t pending_head_ = 0;
  std::size_t pending_count_ = 0;
  std::uint64_t busy_ = 0;
  ReceiveClock receive_clock_;
  std::uint64_t completions_ = 0; // responses since the last tick
  Clock::time_point last_tick_ = Clock::now();
  Clock::duration completion_gap_{0}; // between responses, over the last tick (0: unknown)
  std::uint64_t max_in_flight_ = 0;
  std::uint64_t next_j_ = 0;
  std::uint64_t interval_ = 0;
  std::uint64_t validate_counter_ = 0;
  std::size_t reconnects_ = 0;
  bool open_ = false;
  bool stopping_ = false;
  bool polled_ = true; // the thread's I/O was polled since the last open-model send
  bool sending_done_ = false;
  bool finished_ = false;
  Clock::time_point sending_done_at_{};
  std::vector<std::string> examples_;
  std::vector<std::string> malformed_examples_;
};

template <template <class> class Io, class... Args>
void run_with(const WorkerConfig& config, Collector& collector, Args&&... args) {
  Worker<Io> worker(config, collector, std::forward<Args>(args)...);
  worker.run();
}

} // namespace

void run_worker(const WorkerConfig& config, Collector& collector) {
  // The kernel's default 50 µs timer slack would be most of the send-time error budget.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const LoadOptions& o = *config.options;
  if (o.http2) return run_with<H2Transport>(config, collector);
  if (o.origin.tls) return run_with<TlsTransport>(config, collector);
  if (config.use_uring) {
    std::error_code ignored; // run_load probed it; should this thread be refused, epoll
    if (auto ring = Uring::open(256, ignored))
      return run_with<UringTransport>(config, collector, std::move(ring));
  }
  run_with<EpollTransport>(config, collector);
}

} // namespace konform::load
