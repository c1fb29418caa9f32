// konform diff's speed target (issue 14): comparing one baseline/candidate response pair —
// status, headers, body by protocol, every difference's path normalised — costs at most what
// check's comparison costs, ≤ 2× simdjson's parse of both bodies, so a diff run is dominated by
// the network.
//
// The pair is a Kusto v2 response (and a ksqlDB /query response) generated in memory
// (DataSetHeader, @ExtendedProperties, a 7-column PrimaryResult of N rows,
// QueryCompletionInformation with fresh ids and timestamps, DataSetCompletion) and a dozen response
// headers; the candidate differs in one PrimaryResult cell, its ids, timestamps and
// x-ms-activity-id. Each benchmark checks first that exactly the changed cell is reported
// (normalised PrimaryResult[*].Count), then measures CPU time of the process; the reference is
// measured in the same run right before it:
//   BM_ParseBoth/N        simdjson DOM parse of both bodies, parsers reused, bodies pre-padded;
//   BM_CheckCompare/N     check's comparison: a reused BodyComparer::compare_in_place();
//   BM_DiffComparePair/N  diff::compare_responses() with a reused comparer.
// Each comparison reports ratio_cpu = its time / parse both (target <= 2).
#include "compare/compare.h"
#include "diff/exchange_diff.h"

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace {

using konform::protocol::Kind;

std::string make_v2(std::size_t rows, bool candidate) {
  std::string s =
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
      R"({"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[1,"Visualization","{\"Visualization\":null}"]]},)"
      R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Count","ColumnType":"long"},{"ColumnName":"Ratio","ColumnType":"real"},{"ColumnName":"When","ColumnType":"datetime"},{"ColumnName":"Id","ColumnType":"guid"},{"ColumnName":"Ok","ColumnType":"bool"},{"ColumnName":"Bag","ColumnType":"dynamic"}],"Rows":[)";
  char buf[512];
  for (std::size_t row = 0; row < rows; ++row) {
    long long count = static_cast<long long>(row) * 7919 + (candidate && row == rows / 2 ? 1 : 0);
    int n = std::snprintf(
        buf, sizeof buf,
        R"(%s["user_%08zu",%lld,%.6f,"2024-05-%02zuT%02zu:%02zu:%02zu.%07zuZ","%08zx-1e4e-49d9-b579-fe0b331d3642",%s,{"k":%zu,"tags":["a","b"]}])",
        row ? "," : "", row, count, static_cast<double>(row % 1000) / 7.0, 1 + row % 28, row % 24,
        row % 60, (row / 60) % 60, row % 10'000'000, row, row % 2 ? "true" : "false", row % 97);
    s.append(buf, static_cast<std::size_t>(n));
  }
  // Per-request values: a fresh activity id and timestamp on each side.
  const char* id =
      candidate ? "9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11" : "3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7";
  const char* ts = candidate ? "2024-05-01T10:00:01.1234567Z" : "2024-05-01T10:00:00.7654321Z";
  s +=
      R"(]},{"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},{"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],"Rows":[)";
  for (const char* event : {"QueryInfo", "WorkloadGroup"}) {
    std::snprintf(buf, sizeof buf,
                  R"(["%s","%s",4,"Info","%s","{\"Count\":1,\"Text\":\"default\"}"],)", ts, id,
                  event);
    s += buf;
  }
  std::snprintf(
      buf, sizeof buf,
      R"(["%s","%s",6,"Stats","QueryResourceConsumption","{\"ExecutionTime\":0.0%d}"]]},)", ts, id,
      candidate ? 7 : 3);
  s += buf;
  s += R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  return s;
}

// A ksqlDB /query response as a closed JSON array, one element per line (what ksqlDB sends
// since 0.23): header with a fresh queryId on each side, `rows` rows of six columns, a final
// message. The candidate differs in the PAGEID of the middle row.
std::string make_ksql(std::size_t rows, bool candidate) {
  std::string s = candidate ? R"([{"header":{"queryId":"transient_PAGEVIEWS_5521","schema":)"
                            : R"([{"header":{"queryId":"transient_PAGEVIEWS_1187","schema":)";
  s +=
      R"("`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT, `REGION` STRING, `SCORE` DOUBLE, `ACTIVE` BOOLEAN"}},)";
  s += '\n';
  char buf[512];
  for (std::size_t row = 0; row < rows; ++row) {
    std::size_t page = row * 31 % 1000 + (candidate && row == rows / 2 ? 1 : 0);
    int n = std::snprintf(buf, sizeof buf,
                          R"({"row":{"columns":["User_%zu","Page_%zu",%zu,"Region_%zu",%.3f,%s]}},)"
                          "\n",
                          row % 97, page, 1561417891000 + row * 17, row % 9,
                          static_cast<double>(row % 1000) / 8.0, row % 3 ? "true" : "false");
    s.append(buf, static_cast<std::size_t>(n));
  }
  s += R"({"finalMessage":"Limit Reached"}])";
  s += '\n';
  return s;
}

std::string make_body(Kind kind, std::size_t rows, bool candidate) {
  return kind == Kind::ksql_stream ? make_ksql(rows, candidate) : make_v2(rows, candidate);
}

// What diff reports for the one changed value.
const char* changed_path(Kind kind) {
  return kind == Kind::ksql_stream ? "row[*].PAGEID" : "PrimaryResult[*].Count";
}

konform::diff::Response make_response(Kind kind, std::size_t rows, bool candidate) {
  konform::diff::Response r;
  r.responded = true;
  r.status = 200;
  r.body = make_body(kind, rows, candidate);
  r.client_request_id = candidate ? "konform.bench;2" : "konform.bench;1";
  r.headers = {
      {"Content-Type", "application/json; charset=utf-8"},
      {"Content-Length", std::to_string(r.body.size())},
      {"Date", candidate ? "Tue, 21 May 2024 10:00:01 GMT" : "Tue, 21 May 2024 10:00:00 GMT"},
      {"Server", "konform"},
      {"Vary", "Accept-Encoding"},
      {"Strict-Transport-Security", "max-age=2592000; includeSubDomains"},
      {"x-ms-activity-id", candidate ? "9f1c0a52" : "3bdcc252"},
      {"x-ms-client-request-id", r.client_request_id},
      {"X-Content-Type-Options", "nosniff"},
      {"Cache-Control", "no-cache"}};
  return r;
}

struct Clock {
  static double cpu() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

// simdjson parsing both bodies, parsers sized and bodies padded: the fastest it goes. CPU
// seconds per pair, the best of several batches (the host is shared).
double parse_both(const std::string& a, const std::string& b) {
  simdjson::padded_string pa(a), pb(b);
  simdjson::dom::parser p1, p2;
  if (p1.parse(pa).error() || p2.parse(pb).error()) return 0;
  int n = std::max(1, static_cast<int>(20'000'000 / (a.size() + b.size())));
  double best = 1e9;
  for (int batch = 0; batch < 5; ++batch) {
    double start = Clock::cpu();
    for (int i = 0; i < n; ++i) {
      auto da = p1.parse(pa);
      auto db = p2.parse(pb);
      benchmark::DoNotOptimize(da);
      benchmark::DoNotOptimize(db);
    }
    best = std::min(best, (Clock::cpu() - start) / n);
  }
  return best;
}

// CPU time of the whole loop (reading the process CPU clock per iteration would cost about as
// much as a small comparison).
template <class F> void measure(benchmark::State& state, double reference, F&& once) {
  double start = Clock::cpu();
  for (auto _ : state)
    once();
  double per = (Clock::cpu() - start) / static_cast<double>(state.iterations());
  state.counters["parse_both_us"] = reference * 1e6;
  state.counters["compare_us"] = per * 1e6;
  state.counters["ratio_cpu"] = per / reference;
}

// Benchmark argument 1: 0 = Kusto v2, 1 = ksqlDB /query stream.
Kind kind_of(const benchmark::State& state) {
  return state.range(1) ? Kind::ksql_stream : Kind::kusto_v2;
}

void BM_ParseBoth(benchmark::State& state) {
  auto rows = static_cast<std::size_t>(state.range(0));
  auto a = make_body(kind_of(state), rows, false), b = make_body(kind_of(state), rows, true);
  simdjson::padded_string pa(a), pb(b);
  simdjson::dom::parser p1, p2;
  for (auto _ : state) {
    auto da = p1.parse(pa);
    auto db = p2.parse(pb);
    benchmark::DoNotOptimize(da);
    benchmark::DoNotOptimize(db);
  }
  state.counters["KiB_each"] = static_cast<double>(a.size()) / 1024;
}

void BM_CheckCompare(benchmark::State& state) {
  auto rows = static_cast<std::size_t>(state.range(0));
  Kind kind = kind_of(state);
  std::string a = make_body(kind, rows, false), b = make_body(kind, rows, true);
  konform::compare::BodyComparer comparer;
  auto first = comparer.compare_in_place(a, b, kind, {});
  if (!first.ok() || first->size() != 1) {
    state.SkipWithError("check's comparison did not report exactly the changed cell");
    return;
  }
  double reference = parse_both(a, b);
  measure(state, reference, [&] {
    auto r = comparer.compare_in_place(a, b, kind, {});
    benchmark::DoNotOptimize(r);
  });
}

void BM_DiffComparePair(benchmark::State& state) {
  auto rows = static_cast<std::size_t>(state.range(0));
  Kind kind = kind_of(state);
  auto a = make_response(kind, rows, false), b = make_response(kind, rows, true);
  konform::compare::BodyComparer comparer;
  konform::compare::Rules rules; // protocol defaults on, as konform diff runs by default
  auto first = konform::diff::compare_responses(a, b, kind, rules, comparer);
  if (first.size() != 1 || first[0].path != changed_path(kind)) {
    state.SkipWithError("diff did not report exactly the changed value");
    return;
  }
  double reference = parse_both(a.body, b.body);
  measure(state, reference, [&] {
    auto r = konform::diff::compare_responses(a, b, kind, rules, comparer);
    benchmark::DoNotOptimize(r);
  });
}

// Kusto v2: 20 rows (~4 KiB, a typical small query) and 10,000 rows (~1.35 MiB); ksqlDB: 40
// rows (~4 KiB) and 12,000 rows (~1.2 MiB).
void sizes(benchmark::internal::Benchmark* b) {
  b->Args({20, 0})->Args({10'000, 0})->Args({40, 1})->Args({12'000, 1});
}
BENCHMARK(BM_ParseBoth)->Apply(sizes);
BENCHMARK(BM_CheckCompare)->Apply(sizes);
BENCHMARK(BM_DiffComparePair)->Apply(sizes);

} // namespace

BENCHMARK_MAIN();
