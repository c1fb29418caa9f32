// The hot-path cost of the load histograms: record (called once per response, three times with
// corrected/uncorrected/lag), the end-of-run merge, percentile queries and the V2 encoding written
// once per interval per tag to the .hlog.
#include "load/histogram.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

std::vector<std::int64_t> latencies(std::size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> dist(7.0, 1.2);
  std::vector<std::int64_t> v(n);
  for (auto& x : v)
    x = static_cast<std::int64_t>(dist(rng)) + 1;
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = latencies(4096);
  konform::load::Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.total_count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  konform::load::Histogram a, b;
  for (auto v : latencies(100'000))
    b.record(v);
  for (auto _ : state) {
    auto st = a.add(b);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramPercentile(benchmark::State& state) {
  konform::load::Histogram h;
  for (auto v : latencies(100'000))
    h.record(v);
  for (auto _ : state)
    benchmark::DoNotOptimize(h.value_at_percentile(99.9));
}
BENCHMARK(BM_HistogramPercentile);

void BM_HistogramEncodeCompressed(benchmark::State& state) {
  konform::load::Histogram h;
  for (auto v : latencies(100'000))
    h.record(v);
  for (auto _ : state)
    benchmark::DoNotOptimize(h.encode_compressed());
}
BENCHMARK(BM_HistogramEncodeCompressed);

void BM_HistogramDecodeCompressed(benchmark::State& state) {
  konform::load::Histogram h;
  for (auto v : latencies(100'000))
    h.record(v);
  const auto bytes = h.encode_compressed();
  for (auto _ : state)
    benchmark::DoNotOptimize(konform::load::Histogram::decode(bytes));
}
BENCHMARK(BM_HistogramDecodeCompressed);

} // namespace

BENCHMARK_MAIN();
