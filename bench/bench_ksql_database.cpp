// The ksqlDB database behind `konform serve`: the cost of one /ksql INSERT (parse + sandbox
// validation + execution), and of fanning each inserted row out to N running push queries
// (filter, projection and the StreamedRow bytes each subscriber receives). The reference is
// the statement parse alone, measured in the same run.
#include "serve/ksql/database.h"
#include "serve/ksql/query_format.h"
#include "serve/ksql/sql_parser.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

namespace {

using namespace konform::serve::ksql;

const char* kInsert = "INSERT INTO PV (USERID, PAGEID, VIEWTIME) VALUES ('USER_1', 'PAGE_1', 1);";

std::vector<Statement> parse(const char* text) {
  auto r = parse_statements(text);
  if (!r) {
    std::fprintf(stderr, "bench_ksql_database: %s does not parse\n", text);
    std::exit(1);
  }
  return *r;
}

void BM_ParseInsert(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parse_statements(kInsert);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// N push queries on the stream, each with a WHERE that every row passes; every row is encoded
// once per subscriber, as the server does before handing the bytes to the connection.
void BM_InsertWithPushQueries(benchmark::State& state) {
  Database database;
  auto created = database.execute(parse("CREATE STREAM PV (USERID STRING KEY, PAGEID STRING, "
                                        "VIEWTIME BIGINT) WITH (kafka_topic='pv', "
                                        "value_format='JSON');"),
                                  {});
  if (!created) {
    state.SkipWithError(created.error().message.c_str());
    return;
  }
  auto select = parse("SELECT USERID, VIEWTIME FROM PV WHERE VIEWTIME >= 0 EMIT CHANGES;");
  std::size_t bytes = 0;
  for (int i = 0; i < state.range(0); ++i) {
    auto plan = database.plan_query(select.at(0), {});
    PushCallbacks cb;
    cb.row = [&bytes](const std::vector<Value>& row) {
      bytes += query_row(QueryFormat::StreamedRows, row).size();
    };
    cb.limit_reached = [] {};
    cb.completed = [] {};
    database.start_push(*plan, cb);
  }
  // Correctness first: one insert reaches every subscriber with the expected bytes.
  auto one = database.execute(parse(kInsert), {});
  const std::size_t row_bytes = std::string("{\"row\":{\"columns\":[\"USER_1\",1]}},\n").size();
  if (!one || bytes != row_bytes * static_cast<std::size_t>(state.range(0))) {
    state.SkipWithError("the insert did not reach every push query");
    return;
  }
  auto insert = parse(kInsert);
  for (auto _ : state) {
    auto r = database.execute(insert, {});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rows_delivered/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ParseInsert);
// 0 subscribers: the stored insert alone. Rows are kept in memory, so iterations are capped.
BENCHMARK(BM_InsertWithPushQueries)->Arg(0)->Arg(1)->Arg(10)->Arg(100)->Iterations(200000);

} // namespace

BENCHMARK_MAIN();
