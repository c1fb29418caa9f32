// Streaming-ingest readers: delimited text (csv, tsv, scsv, sohsv, psv) and JSON (json, multijson,
// singlejson) into a table with a column of every type, with a mapping or without. All or
// nothing: a failed request adds no row. What was stored must come back out as valid JSON (a
// query response encodes it). Input: [selector] [mapping NUL] data; without a selector the data
// is CSV. The selector (fuzz_input.h) picks the format, ignoreFirstRecord and whether a mapping
// comes first.
#include "fuzz/fuzz_input.h"
#include "json/document.h"
#include "serve/kusto/cluster/delimited.h"
#include "serve/kusto/cluster/ingest.h"
#include "serve/kusto/encode_v1.h"

#include <string>

namespace cluster = konform::serve::kusto::cluster;

namespace {

// Every StormEvents column, for JSON records without a mapping of their own.
constexpr std::string_view kJsonMapping =
    R"([{"column":"StartTime","path":"$.StartTime"},{"column":"EndTime","path":"$.EndTime"},)"
    R"({"column":"EpisodeId","path":"$.EpisodeId"},{"column":"EventId","path":"$.EventId"},)"
    R"({"column":"State","path":"$.State"},{"column":"EventType","path":"$.EventType"},)"
    R"({"column":"InjuriesDirect","path":"$.InjuriesDirect"},)"
    R"({"column":"DamageProperty","path":"$.DamageProperty"},)"
    R"({"column":"BeginLat","path":"$.BeginLat"},{"column":"DamageCost","path":"$.DamageCost"},)"
    R"({"column":"Duration","path":"$.Duration"},{"column":"Verified","path":"$.Verified"},)"
    R"({"column":"ReportId","path":"$.ReportId"},{"column":"Details","path":"$.Details"}])";

std::size_t row_count(const cluster::Catalog& catalog) {
  auto lock = catalog.read_lock();
  return catalog.find_database("Samples")->tables.find("StormEvents")->second.rows.size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view text = fuzz::as_text(data, size);
  auto selector = fuzz::take_selector(text);
  constexpr std::string_view formats[] = {"csv", "tsv",  "scsv",      "sohsv",
                                          "psv", "json", "multijson", "singlejson"};
  std::uint8_t s = selector.value_or(0);

  cluster::IngestSpec spec;
  spec.database = "Samples";
  spec.table = "StormEvents";
  spec.format = formats[s % 8];
  spec.ignore_first_record = s & 0x08;
  bool json_format = s % 8 >= 5;
  if (s & 0x10) {
    auto [mapping, rest] = fuzz::split_nul(text);
    spec.mapping_json = mapping;
    text = rest;
  } else if (json_format) {
    spec.mapping_json = kJsonMapping;
  }

  constexpr char separators[] = {',', '\t', ';', '\x01', '|'};
  (void)cluster::parse_delimited(text, separators[s % 5]);

  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  std::size_t before = row_count(catalog);
  auto ingested = cluster::ingest(catalog, spec, text);
  std::size_t after = row_count(catalog);
  if (!ingested && after != before) __builtin_trap(); // all or nothing

  // A query response carries every stored value: it must be JSON.
  auto lock = catalog.read_lock();
  const auto& table = catalog.find_database("Samples")->tables.find("StormEvents")->second;
  cluster::ResultTable result;
  result.columns = table.columns;
  result.rows.assign(table.rows.begin() + static_cast<std::ptrdiff_t>(before), table.rows.end());
  std::string out;
  serve::kusto::encode_v1_command(out, result);
  if (!json::Document::parse(out)) __builtin_trap();
  return 0;
}
