// The validators against real recorded responses (../shared/corpus). The expected verdict comes
// from each corpus INDEX.md: valid files pass, partial-error and error files come out as in-band
// errors, the truncated stream is a violation. A few fixtures were edited by hand in their origin
// repository; they are listed below with the one rule they break and why.
#include "core/file.h"
#include "core/text.h"
#include "protocol/validate.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace konform::protocol {
namespace {

const std::string shared_dir = KONFORM_SHARED_DIR;

enum class Verdict { pass, in_band, violation };

struct Expectation {
  Kind kind;
  Verdict verdict;
  std::string rule; // for violations: the rule that must be among the findings
};

std::string describe(const std::vector<Finding>& findings) {
  std::ostringstream s;
  for (const auto& f : findings)
    s << "\n    " << to_string(f.level) << " " << f.rule << " at " << f.path << ": " << f.message;
  return s.str();
}

bool has_level(const std::vector<Finding>& findings, Level level) {
  for (const auto& f : findings)
    if (f.level == level) return true;
  return false;
}

bool has_rule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const auto& f : findings)
    if (f.rule == rule) return true;
  return false;
}

// Hand-edited fixtures: the origin SDK only parses them, the protocol does not allow them.
const std::map<std::string, std::string> known_broken{
    // "9 columns but 8 values - hand-edited" (INDEX.md row 61).
    {"grafana__azure-data-explorer-datasource/pkg__azuredx__models__testdata__nulls_in_table.json",
     "kusto.row-width"},
    // "XDecimal appears hand-added as a JSON number" (row 60); decimals are strings.
    {"grafana__azure-data-explorer-datasource/"
     "pkg__azuredx__models__testdata__supported_types_with_vals.json",
     "kusto.value.decimal"},
    // A parse-only fixture whose StorageRoot values are "abc" (row 33); no ingest client could
    // use them.
    {"Azure__azure-kusto-node/packages__azure-kusto-data__test__data__response__v1.json",
     "kusto.ingest.storage-root"},
    {"Azure__azure-kusto-node/azure-kusto-data__test__data__response__v1.json",
     "kusto.ingest.storage-root"},
    // IsProgressive=false yet a TableProgress frame (row 11, python expects an error).
    {"Azure__azure-kusto-python/azure-kusto-data__tests__input__deft_with_progressive_result.json",
     "kusto.v2.progress-not-progressive"},
    // Hand-edited (row 9): decimals as numbers and "NaN", year 0000, a 6-value row in a
    // 13-column table; the rust copy (row 44) keeps the hand-made row with "" datetimes.
    {"Azure__azure-kusto-python/azure-kusto-data__tests__input__dataframe.json", "kusto.row-width"},
    {"Azure__azure-kusto-rust/azure-kusto-data__tests__inputs__dataframe.json",
     "kusto.value.datetime"},
    // Ids redacted by hand to something shorter than a GUID ("fc5b1c02-57fa-8611c2df33e2").
    {"grafana__azure-data-explorer-datasource/pkg__azuredx__models__testdata__adx_logs_table.json",
     "kusto.value.guid"},
    {"grafana__azure-data-explorer-datasource/"
     "pkg__azuredx__models__testdata__adx_traces_table.json",
     "kusto.value.guid"},
    {"grafana__azure-data-explorer-datasource/"
     "pkg__azuredx__models__testdata__adx_traces_table_empty_dynamics.json",
     "kusto.value.guid"},
    // The QueryStatus "Stats" StatusDescription, JSON text in a String column, was expanded into
    // an object when the file was pretty-printed (python row 1, rust copy row 43); real servers
    // send a string (see the rust recording, row 89).
    {"Azure__azure-kusto-python/azure-kusto-data__tests__input__adminthenquery.json",
     "kusto.value.type"},
    {"Azure__azure-kusto-rust/azure-kusto-data__tests__inputs__adminthenquery.json",
     "kusto.value.type"},
    // The 2048-byte prefix of a v2 stream (row 17).
    {"Azure__azure-kusto-python/azure-kusto-ingest__tests__input__table_chunk.json",
     "kusto.v2.json"},
};

// Maps an INDEX.md category to the kind and verdict; nullopt for files that are not responses
// (requests, docs, recorded exchanges, auth metadata, ingest-v2 config).
std::optional<Expectation> expectation_for(const std::string& category) {
  if (category == "v1" || category == "v1 mgmt (derived)" ||
      category == "mgmt: ingestion resources" || category == "mgmt: identity token")
    return Expectation{Kind::kusto_v1, Verdict::pass, ""};
  if (category == "v1 partial-error") return Expectation{Kind::kusto_v1, Verdict::in_band, ""};
  if (category == "v2" || category == "v2 (derived)" || category == "v2 fragmented" ||
      category == "v2 progressive")
    return Expectation{Kind::kusto_v2, Verdict::pass, ""};
  if (category == "v2 partial-error") return Expectation{Kind::kusto_v2, Verdict::in_band, ""};
  if (category == "v2-truncated") return Expectation{Kind::kusto_v2, Verdict::violation, ""};
  if (category == "error: HTTP OneAPI JSON" || category == "error: plain-text body")
    return Expectation{Kind::kusto_error, Verdict::in_band, ""};
  if (category == "streaming-ingest response")
    return Expectation{Kind::kusto_ingest, Verdict::pass, ""};
  return std::nullopt;
}

struct Row {
  std::string file;
  std::string category;
};

// The "Stored files" table of corpus/kusto/INDEX.md: | # | `file` | origin | bytes | sha | category
// | ...
std::vector<Row> kusto_index() {
  auto text = file::read(shared_dir + "/corpus/kusto/INDEX.md");
  EXPECT_TRUE(text.ok()) << text.error().message;
  std::vector<Row> rows;
  if (!text.ok()) return rows;
  std::istringstream in(*text);
  std::string line;
  bool stored = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) stored = line == "## Stored files";
    if (!stored || line.size() < 3 || line[0] != '|' || line[2] < '0' || line[2] > '9') continue;
    std::vector<std::string> cells;
    for (auto c : text::split(line, '|'))
      cells.emplace_back(text::trim(c));
    // cells[0] is empty (before the first '|').
    if (cells.size() < 7) continue;
    std::string file = cells[2];
    if (file.size() > 2 && file.front() == '`') file = file.substr(1, file.size() - 2);
    rows.push_back({file, cells[6]});
  }
  return rows;
}

TEST(Corpus, EveryKustoResponseGetsTheVerdictItsIndexImplies) {
  auto rows = kusto_index();
  ASSERT_GT(rows.size(), 80u) << "INDEX.md table not found or changed shape";
  std::size_t checked = 0;
  for (const auto& row : rows) {
    auto expect = expectation_for(row.category);
    if (!expect) continue;
    auto body = file::read(shared_dir + "/corpus/kusto/" + row.file);
    ASSERT_TRUE(body.ok()) << body.error().message;
    auto findings = validate(expect->kind, *body);
    ++checked;
    SCOPED_TRACE(row.file + " (" + row.category + ")" + describe(findings));
    EXPECT_EQ(detect_kind(*body), expect->kind) << "detect_kind";
    auto broken = known_broken.find(row.file);
    if (broken != known_broken.end()) {
      EXPECT_TRUE(has_rule(findings, broken->second)) << "expected rule " << broken->second;
      continue;
    }
    switch (expect->verdict) {
    case Verdict::pass:
      EXPECT_FALSE(has_level(findings, Level::violation));
      EXPECT_FALSE(has_level(findings, Level::in_band_error));
      break;
    case Verdict::in_band:
      EXPECT_FALSE(has_level(findings, Level::violation));
      EXPECT_TRUE(has_level(findings, Level::in_band_error));
      break;
    case Verdict::violation:
      EXPECT_TRUE(has_level(findings, Level::violation));
      break;
    }
  }
  EXPECT_GT(checked, 60u);
}

// Every stored Kusto file is visited (recursively), so a file added to the corpus without an
// INDEX.md row is noticed.
TEST(Corpus, EveryKustoFileIsListedInTheIndex) {
  auto rows = kusto_index();
  std::set<std::string> listed;
  for (const auto& r : rows)
    listed.insert(r.file);
  namespace fs = std::filesystem;
  std::size_t seen = 0;
  for (const auto& entry : fs::recursive_directory_iterator(shared_dir + "/corpus/kusto")) {
    if (!entry.is_regular_file()) continue;
    auto rel = fs::relative(entry.path(), shared_dir + "/corpus/kusto").generic_string();
    if (rel == "INDEX.md" || rel.rfind("_observed/", 0) == 0) continue;
    ++seen;
    EXPECT_TRUE(listed.count(rel)) << rel << " is not in INDEX.md";
  }
  EXPECT_GT(seen, 80u);
}

} // namespace
} // namespace konform::protocol
