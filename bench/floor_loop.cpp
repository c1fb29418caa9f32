// The host's own floor for an open-model sender: a loop that does nothing but wake for the same
// slots `konform load -R RATE` sends at (slot j due at start + j/RATE), the way konform's open
// model waits for them: sleep until 60 µs before the slot (timer slack 1 ns), then spin to it. It
// records how late each wake-up was (its "schedule lag") and prints the percentiles, so
// bench/open_model_lag.sh can put konform's lag beside what the same CPU allows in the same
// minutes. After a stall it wakes for every missed slot at once (each counted late), as konform
// is meant to. Not a Google Benchmark: `floor_loop RATE SECONDS`.
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: floor_loop RATE SECONDS\n");
    return 2;
  }
  const double rate = std::atof(argv[1]);
  const double seconds = std::atof(argv[2]);
  if (rate <= 0 || seconds <= 0 || rate * seconds > 1e8) {
    std::fprintf(stderr, "floor_loop: RATE and SECONDS must be positive (at most 1e8 slots)\n");
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  using Clock = std::chrono::steady_clock;
  constexpr auto wake_early = std::chrono::microseconds(60);
  const auto slots = static_cast<std::uint64_t>(rate * seconds);
  std::vector<std::int64_t> lag(slots);
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  std::uint64_t late = 0;
  for (std::uint64_t j = 0; j < slots; ++j) {
    const auto at = start + std::chrono::nanoseconds(static_cast<std::int64_t>(j * 1e9 / rate));
    auto now = Clock::now();
    if (at - now > wake_early) {
      const auto wake = at - wake_early;
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wake.time_since_epoch());
      timespec ts{static_cast<time_t>(ns.count() / 1'000'000'000), ns.count() % 1'000'000'000};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr); // steady_clock's clock
    }
    while ((now = Clock::now()) < at) {
    }
    lag[j] = std::chrono::duration_cast<std::chrono::microseconds>(now - at).count();
    if (lag[j] > 1000) ++late;
  }
  std::sort(lag.begin(), lag.end());
  // Java HdrHistogram's rule, as konform reports: the value at or below which p% of them fall.
  auto pct = [&](double p) {
    const auto rank = static_cast<std::uint64_t>(std::max(1.0, p / 100 * slots + 0.5)) - 1;
    return lag[std::min<std::uint64_t>(rank, slots - 1)];
  };
  std::printf("slots %llu late %llu p50 %lld p99 %lld p99.9 %lld max %lld\n",
              static_cast<unsigned long long>(slots), static_cast<unsigned long long>(late),
              static_cast<long long>(pct(50)), static_cast<long long>(pct(99)),
              static_cast<long long>(pct(99.9)), static_cast<long long>(lag.back()));
  return 0;
}
