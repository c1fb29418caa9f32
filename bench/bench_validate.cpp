// The validator's speed target (issue 3): validating a large Kusto v2 response takes at most 2x
// the time simdjson's on-demand API needs to walk it, with memory bounded by the document plus a
// constant.
//
// The body is generated in memory: a v2 frame array whose PrimaryResult has the ten scalar types
// (plus dynamic) in every row, with the usual property and completion tables. Its size is
// KONFORM_BENCH_VALIDATE_MB megabytes (default 200; the 1 GB figure in bench/README.md used
// KONFORM_BENCH_VALIDATE_MB=1024). Each benchmark first checks correctness (the generated body is
// conformant; a copy with one broken cell gives exactly that violation), then measures:
//   BM_OnDemandWalk   simdjson on-demand: iterate, visit every value (type, then the number,
//                     string token or literal), the reference;
//   BM_Validate       protocol::validate_in_place(kusto_v2, body), one pass over on-demand;
// BM_Validate reports ratio = its CPU time / the cold walk's (target <= 2) and the peak RSS over
// the body (rss_over_body_MiB: the parser's index and the findings; the body itself is not
// copied).
#include "protocol/validate.h"

#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using konform::protocol::Kind;
using konform::protocol::Level;

std::size_t target_bytes() {
  const char* mb = std::getenv("KONFORM_BENCH_VALIDATE_MB");
  std::size_t n = mb ? std::strtoull(mb, nullptr, 10) : 200;
  return (n ? n : 200) << 20;
}

std::string make_v2(std::size_t bytes) {
  std::string s;
  s.reserve(bytes + (1u << 20) + simdjson::SIMDJSON_PADDING);
  s +=
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"})"
      ",\n"
      R"({"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[1,"Visualization","{\"Visualization\":null}"]]})"
      ",\n"
      R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Small","ColumnType":"int"},{"ColumnName":"Count","ColumnType":"long"},{"ColumnName":"Ratio","ColumnType":"real"},{"ColumnName":"Price","ColumnType":"decimal"},{"ColumnName":"When","ColumnType":"datetime"},{"ColumnName":"Took","ColumnType":"timespan"},{"ColumnName":"Id","ColumnType":"guid"},{"ColumnName":"Ok","ColumnType":"bool"},{"ColumnName":"Bag","ColumnType":"dynamic"}],"Rows":[)";
  char buf[512];
  std::size_t row = 0;
  while (s.size() < bytes) {
    int n = std::snprintf(
        buf, sizeof buf,
        R"(%s["user_%08zu",%zu,%llu,%.6f,"%zu.%02zu","2024-05-%02zuT%02zu:%02zu:%02zu.%07zuZ","%02zu:%02zu:%02zu.%07zu","%08zx-1e4e-49d9-b579-fe0b331d3642",%s,{"k":%zu,"tags":["a","b"]}])",
        row ? "," : "", row, row % 100000, static_cast<unsigned long long>(row) * 7919ULL,
        static_cast<double>(row % 1000) / 7.0, row % 1000, row % 100, 1 + row % 28, row % 24,
        row % 60, (row / 60) % 60, row % 10'000'000, row % 24, row % 60, (row / 7) % 60,
        row % 10'000'000, row, row % 2 ? "true" : "false", row % 97);
    s.append(buf, static_cast<std::size_t>(n));
    ++row;
  }
  s += "]},\n";
  s +=
      R"js({"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ClientRequestId","ColumnType":"string"},{"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"SubActivityId","ColumnType":"guid"},{"ColumnName":"ParentActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},{"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"StatusCode","ColumnType":"int"},{"ColumnName":"StatusCodeName","ColumnType":"string"},{"ColumnName":"EventType","ColumnType":"int"},{"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],"Rows":[["2024-05-01T10:00:00Z","KNC.execute;1","3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7","3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7","3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7",4,"Info",0,"S_OK (0)",4,"QueryInfo","{\"Count\":1,\"Text\":\"Query completed successfully\"}"]]
})js"
      ",\n"
      R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  return s;
}

std::string& body() {
  static std::string b = make_v2(target_bytes());
  return b;
}

// The reference: visit every value with the on-demand API and nothing else.
std::size_t walk(simdjson::ondemand::value v) {
  using simdjson::ondemand::json_type;
  json_type t;
  if (v.type().get(t)) return 0;
  switch (t) {
  case json_type::array: {
    std::size_t n = 1;
    for (auto e : v.get_array())
      n += walk(e.value());
    return n;
  }
  case json_type::object: {
    std::size_t n = 1;
    for (auto f : v.get_object())
      n += walk(f.value());
    return n;
  }
  case json_type::number: {
    simdjson::ondemand::number num;
    return v.get_number().get(num) ? 0 : 1;
  }
  case json_type::string: {
    simdjson::ondemand::raw_json_string s;
    return v.get_raw_json_string().get(s) ? 0 : 1;
  }
  case json_type::boolean: {
    bool b;
    return v.get_bool().get(b) ? 0 : 1;
  }
  case json_type::null:
    return v.is_null() ? 1 : 0;
  }
  return 0;
}

std::size_t walk_body(simdjson::ondemand::parser& parser, const std::string& text) {
  simdjson::ondemand::document doc;
  if (parser.iterate(text.data(), text.size(), text.capacity()).get(doc)) return 0;
  std::size_t n = 1;
  simdjson::ondemand::array frames;
  if (doc.get_array().get(frames)) return 0;
  for (auto f : frames)
    n += walk(f.value());
  return n;
}

// Process CPU time: the machine is shared, wall time would measure the neighbours.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The reference walk, cold like a one-shot `konform validate FILE`: a new parser each time
// (its index is allocated and touched once per body, as the validator's is for big bodies).
double walk_seconds() {
  static double best = [] {
    double b = 1e30;
    for (int i = 0; i < 3; ++i) {
      simdjson::ondemand::parser parser;
      double start = cpu_now();
      benchmark::DoNotOptimize(walk_body(parser, body()));
      b = std::min(b, cpu_now() - start);
    }
    return b;
  }();
  return best;
}

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

void BM_OnDemandWalk(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  if (walk_body(parser, body()) < 1000) {
    state.SkipWithError("the on-demand walk failed");
    return;
  }
  for (auto _ : state) {
    simdjson::ondemand::parser cold; // as in walk_seconds()
    benchmark::DoNotOptimize(walk_body(cold, body()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body().size()));
  state.counters["MiB"] = static_cast<double>(body().size()) / (1 << 20);
}
BENCHMARK(BM_OnDemandWalk)->Unit(benchmark::kMillisecond);

void BM_Validate(benchmark::State& state) {
  std::string& b = body();
  // Correctness first: the body is conformant, and a broken cell is found where it is.
  auto clean = konform::protocol::validate_in_place(Kind::kusto_v2, b);
  if (!clean.empty()) {
    state.SkipWithError(("unexpected finding: " + clean[0].rule + " at " + clean[0].path).c_str());
    return;
  }
  {
    std::string broken = b.substr(0, 1 << 20);
    auto at = broken.find("\"user_00000003\",3,");
    broken.replace(at, 18, "\"user_00000003\",3.5,");
    broken = broken.substr(0, broken.rfind("],[") + 1) + "]}," +
             R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
    auto f = konform::protocol::validate_in_place(Kind::kusto_v2, broken);
    if (f.size() != 1 || f[0].rule != "kusto.value.int" || f[0].path != "$[2].Rows[3][1]") {
      state.SkipWithError("the broken cell was not reported as kusto.value.int at $[2].Rows[3][1]");
      return;
    }
  }
  double reference = walk_seconds();
  long rss_before = peak_rss_kib();
  double total = 0;
  for (auto _ : state) {
    double start = cpu_now();
    auto findings = konform::protocol::validate_in_place(Kind::kusto_v2, b);
    benchmark::DoNotOptimize(findings);
    total += cpu_now() - start;
  }
  double per = total / static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * b.size()));
  state.counters["MiB"] = static_cast<double>(b.size()) / (1 << 20);
  state.counters["walk_ms"] = reference * 1e3;
  state.counters["ratio"] = per / reference;
  state.counters["rss_over_body_MiB"] =
      static_cast<double>(peak_rss_kib()) / 1024.0 - static_cast<double>(b.capacity()) / (1 << 20);
  state.counters["rss_growth_MiB"] = static_cast<double>(peak_rss_kib() - rss_before) / 1024.0;
}
BENCHMARK(BM_Validate)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
