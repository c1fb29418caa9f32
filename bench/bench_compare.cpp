// The golden comparison's speed target (issue 2): comparing two 100 MB Kusto v2 responses that
// differ in a few cells takes at most 2x the time simdjson needs to parse both.
//
// The two bodies are generated in memory (a v2 frame array with a 7-column PrimaryResult of about
// 800k rows and the usual property and completion tables); the actual body differs from the
// expected one in kChangedRows cells. Each benchmark checks first that exactly those cells are
// reported, then measures (CPU time of the process, all threads; wall time beside it):
//   BM_ParseBoth          simdjson DOM parse of both bodies, parsers reused, bodies pre-padded;
//   BM_CompareBodiesCold  compare_bodies(): text to differences, nothing reused, against simdjson
//                         parsing both texts with new parsers (the cold reference);
//   BM_CompareBodiesWarm  a reused BodyComparer (compare_in_place) against simdjson with
//                         parsers reused and bodies pre-padded (the warm reference);
//   BM_CompareParsed      compare() on parsed documents (the walk alone), warm reference.
// Each comparison benchmark reports ratio_cpu = its time / its reference (target <= 2).
#include "compare/compare.h"

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <string>

namespace {

using konform::compare::compare;
using konform::compare::compare_bodies;
using konform::protocol::Kind;

constexpr std::size_t kTargetBytes = 100u << 20;
const std::set<std::size_t> kChangedRows{17, 123'456, 400'000, 600'000, 654'321};

// A v2 response of about kTargetBytes; rows in `changed` carry a different Count.
std::string make_v2(const std::set<std::size_t>& changed, std::size_t* rows_out = nullptr) {
  std::string s;
  s.reserve(kTargetBytes + (1u << 20));
  s +=
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
      "\n"
      R"({"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[1,"Visualization","{\"Visualization\":null}"]]},)"
      "\n"
      R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Count","ColumnType":"long"},{"ColumnName":"Ratio","ColumnType":"real"},{"ColumnName":"When","ColumnType":"datetime"},{"ColumnName":"Id","ColumnType":"guid"},{"ColumnName":"Ok","ColumnType":"bool"},{"ColumnName":"Bag","ColumnType":"dynamic"}],"Rows":[)";
  char buf[512];
  std::size_t row = 0;
  while (s.size() < kTargetBytes) {
    long long count = static_cast<long long>(row) * 7919 + (changed.count(row) ? 1 : 0);
    int n = std::snprintf(
        buf, sizeof buf,
        R"(%s["user_%08zu",%lld,%.6f,"2024-05-%02zuT%02zu:%02zu:%02zu.%07zuZ","%08zx-1e4e-49d9-b579-fe0b331d3642",%s,{"k":%zu,"tags":["a","b"]}])",
        row ? "," : "", row, count, static_cast<double>(row % 1000) / 7.0, 1 + row % 28, row % 24,
        row % 60, (row / 60) % 60, row % 10'000'000, row, row % 2 ? "true" : "false", row % 97);
    s.append(buf, static_cast<std::size_t>(n));
    ++row;
  }
  s += "]},\n";
  s +=
      R"({"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},{"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],"Rows":[["2024-05-01T10:00:00Z","3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7",4,"Info","QueryInfo","{\"Count\":1,\"Text\":\"Query completed successfully\"}"]]},)"
      "\n"
      R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  if (rows_out) *rows_out = row;
  return s;
}

struct Bodies {
  std::string expected = make_v2({});
  std::string actual = make_v2(kChangedRows);
};

const Bodies& bodies() {
  static const Bodies b;
  return b;
}

// The reported differences must be exactly the changed Count cells.
bool differences_are_the_changed_cells(const std::vector<konform::compare::Difference>& ds) {
  if (ds.size() != kChangedRows.size()) return false;
  std::size_t i = 0;
  for (std::size_t row : kChangedRows) {
    std::string want = "PrimaryResult row " + std::to_string(row) + ", column Count:";
    if (ds[i].message.rfind(want, 0) != 0 ||
        ds[i].path != "$[2].Rows[" + std::to_string(row) + "][1]")
      return false;
    ++i;
  }
  return true;
}

// Wall and CPU time of the process (all threads): the machine is shared, so ratios are taken on CPU
// time (what the work costs), with wall time reported beside them.
struct Clock {
  double wall = 0;
  double cpu = 0;
  static Clock now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return {
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(),
        static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9};
  }
  Clock operator-(const Clock& o) const { return {wall - o.wall, cpu - o.cpu}; }
  Clock& operator+=(const Clock& o) {
    wall += o.wall;
    cpu += o.cpu;
    return *this;
  }
};

template <class F> Clock best_of_three(F&& run) {
  Clock best{1e9, 1e9};
  for (int i = 0; i < 3; ++i) {
    Clock start = Clock::now();
    run();
    Clock took = Clock::now() - start;
    best = {std::min(best.wall, took.wall), std::min(best.cpu, took.cpu)};
  }
  return best;
}

// The references, measured in the same process right before each comparison benchmark.
// Cold: what a program needs to parse both texts with simdjson from scratch (a new parser each,
// the library's own padded copy). Warm: parsers already sized, bodies already padded — the
// fastest simdjson can go.
Clock parse_both_cold() {
  const auto& b = bodies();
  return best_of_three([&] {
    simdjson::dom::parser p1;
    simdjson::dom::parser p2;
    auto de = p1.parse(b.expected);
    auto da = p2.parse(b.actual);
    benchmark::DoNotOptimize(de);
    benchmark::DoNotOptimize(da);
  });
}

Clock parse_both_warm() {
  const auto& b = bodies();
  simdjson::padded_string e(b.expected);
  simdjson::padded_string a(b.actual);
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  if (p1.parse(e).error() || p2.parse(a).error()) return {};
  return best_of_three([&] {
    auto de = p1.parse(e);
    auto da = p2.parse(a);
    benchmark::DoNotOptimize(de);
    benchmark::DoNotOptimize(da);
  });
}

void report(benchmark::State& state, const Clock& total, const Clock& reference) {
  auto n = static_cast<double>(state.iterations());
  state.counters["parse_both_cpu_ms"] = reference.cpu * 1e3;
  state.counters["compare_cpu_ms"] = total.cpu / n * 1e3;
  state.counters["ratio_cpu"] = total.cpu / n / reference.cpu;
  state.counters["ratio_wall"] = total.wall / n / reference.wall;
}

void BM_ParseBoth(benchmark::State& state) {
  const auto& b = bodies();
  simdjson::padded_string e(b.expected);
  simdjson::padded_string a(b.actual);
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  if (p1.parse(e).error() || p2.parse(a).error()) { // sizes and touches the parsers' memory
    state.SkipWithError("generated bodies are not valid JSON");
    return;
  }
  for (auto _ : state) {
    auto de = p1.parse(e);
    auto da = p2.parse(a);
    if (de.error() || da.error()) {
      state.SkipWithError("generated bodies are not valid JSON");
      return;
    }
    benchmark::DoNotOptimize(de);
    benchmark::DoNotOptimize(da);
  }
  state.counters["MB_each"] = static_cast<double>(b.expected.size()) / (1 << 20);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(b.expected.size() + b.actual.size()));
}
BENCHMARK(BM_ParseBoth)->Unit(benchmark::kMillisecond);

// compare_bodies(): text to differences with nothing reused (its own parsers and copies),
// against the cold reference.
void BM_CompareBodiesCold(benchmark::State& state) {
  const auto& b = bodies();
  auto first = compare_bodies(b.expected, b.actual, Kind::kusto_v2, {});
  if (!first.ok() || !differences_are_the_changed_cells(*first)) {
    state.SkipWithError("compare_bodies did not report exactly the changed cells");
    return;
  }
  Clock reference = parse_both_cold();
  Clock total;
  for (auto _ : state) {
    Clock start = Clock::now();
    auto r = compare_bodies(b.expected, b.actual, Kind::kusto_v2, {});
    benchmark::DoNotOptimize(r);
    total += Clock::now() - start;
  }
  report(state, total, reference);
}
BENCHMARK(BM_CompareBodiesCold)->Unit(benchmark::kMillisecond);

// BodyComparer reused (what a runner does on one thread) with compare_in_place(): parses both
// bodies where they are and compares, against the warm reference.
void BM_CompareBodiesWarm(benchmark::State& state) {
  const auto& b = bodies();
  konform::compare::BodyComparer comparer;
  std::string expected = b.expected; // compare_in_place() borrows the strings for the parse
  std::string actual = b.actual;
  // The first call sizes the parsers and the strings' capacity; it is also the correctness check.
  auto first = comparer.compare_in_place(expected, actual, Kind::kusto_v2, {});
  if (!first.ok() || !differences_are_the_changed_cells(*first) || expected != b.expected) {
    state.SkipWithError("BodyComparer did not report exactly the changed cells");
    return;
  }
  Clock reference = parse_both_warm();
  Clock total;
  for (auto _ : state) {
    Clock start = Clock::now();
    auto r = comparer.compare_in_place(expected, actual, Kind::kusto_v2, {});
    benchmark::DoNotOptimize(r);
    total += Clock::now() - start;
  }
  report(state, total, reference);
}
BENCHMARK(BM_CompareBodiesWarm)->Unit(benchmark::kMillisecond);

// compare() on documents already parsed: the walk alone, against the warm reference.
void BM_CompareParsed(benchmark::State& state) {
  const auto& b = bodies();
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  simdjson::padded_string e(b.expected);
  simdjson::padded_string a(b.actual);
  auto de = p1.parse(e);
  auto da = p2.parse(a);
  if (de.error() || da.error() ||
      !differences_are_the_changed_cells(compare(de.value(), da.value(), Kind::kusto_v2, {}))) {
    state.SkipWithError("compare did not report exactly the changed cells");
    return;
  }
  Clock reference = parse_both_warm();
  Clock total;
  for (auto _ : state) {
    Clock start = Clock::now();
    auto ds = compare(de.value(), da.value(), Kind::kusto_v2, {});
    benchmark::DoNotOptimize(ds);
    total += Clock::now() - start;
  }
  report(state, total, reference);
}
BENCHMARK(BM_CompareParsed)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
