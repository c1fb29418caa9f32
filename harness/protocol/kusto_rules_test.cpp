// One minimal document that breaks each Kusto rule and one that satisfies it. Table-driven: the
// good document must be free of violations and of the rule; the bad one must carry the rule at
// its level. Documents are built from small helpers so each case shows only what it is about.
#include "protocol/kusto_ingest.h"
#include "protocol/validate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace konform::protocol {
namespace {

const std::string head = R"({"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"})";
const std::string done = R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false})";
const std::string qci_columns =
    R"([{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ClientRequestId","ColumnType":"string"},)"
    R"({"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"SubActivityId","ColumnType":"guid"},)"
    R"({"ColumnName":"ParentActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},)"
    R"({"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"StatusCode","ColumnType":"int"},)"
    R"({"ColumnName":"StatusCodeName","ColumnType":"string"},{"ColumnName":"EventType","ColumnType":"int"},)"
    R"({"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}])";
const std::string guid = "\"123e27de-1e4e-49d9-b579-fe0b331d3642\"";

std::string qci_row(int level) {
  return R"(["2020-01-01T00:00:00Z","crid",)" + guid + "," + guid + "," + guid + "," +
         std::to_string(level) + R"(,"Error",0,"E_X",0,"QueryInfo","{}"])";
}

std::string v2(const std::string& frames, const std::string& header = head,
               const std::string& completion = done) {
  return "[" + header + (frames.empty() ? "" : "," + frames) + "," + completion + "]";
}

std::string table(int id, const std::string& kind, const std::string& columns,
                  const std::string& rows) {
  return R"({"FrameType":"DataTable","TableId":)" + std::to_string(id) + R"(,"TableKind":")" +
         kind + R"(","TableName":"T","Columns":)" + columns + R"(,"Rows":)" + rows + "}";
}

std::string col(const std::string& type) {
  return R"([{"ColumnName":"c","ColumnType":")" + type + R"("}])";
}

std::string primary(const std::string& columns, const std::string& rows) {
  return table(1, "PrimaryResult", columns, rows);
}

std::string v1(const std::string& tables) {
  return R"({"Tables":[)" + tables + "]}";
}

std::string t1(const std::string& columns, const std::string& rows, const std::string& name = "T") {
  return R"({"TableName":")" + name + R"(","Columns":)" + columns + R"(,"Rows":)" + rows + "}";
}

const std::string oneapi =
    R"({"error":{"code":"LimitsExceeded","message":"m","@type":"T","@message":"detail","@context":{},"@permanent":false}})";

struct Case {
  std::string rule;
  Level level;
  Kind kind;
  std::string good;
  std::string bad;
};

std::string show(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs)
    s += "\n  " + std::string(to_string(f.level)) + " " + f.rule + " " + f.path + ": " + f.message;
  return s;
}

void check(const Case& c) {
  SCOPED_TRACE(c.rule);
  auto good = validate(c.kind, c.good);
  for (const auto& f : good) {
    EXPECT_NE(f.level, Level::violation) << "good document:" << show(good);
    EXPECT_NE(f.rule, c.rule) << "good document:" << show(good);
  }
  auto bad = validate(c.kind, c.bad);
  bool found = false;
  for (const auto& f : bad)
    found = found || (f.rule == c.rule && f.level == c.level);
  EXPECT_TRUE(found) << "bad document lacks " << to_string(c.level) << " " << c.rule << ":"
                     << show(bad);
}

// A value rule checked in both protocols: one column of `type`, one row.
void value_case(const std::string& rule, Level level, const std::string& type,
                const std::string& good, const std::string& bad, bool v1_too = true) {
  check({rule, level, Kind::kusto_v2, v2(primary(col(type), "[[" + good + "]]")),
         v2(primary(col(type), "[[" + bad + "]]"))});
  if (v1_too)
    check({rule, level, Kind::kusto_v1, v1(t1(col(type), "[[" + good + "]]")),
           v1(t1(col(type), "[[" + bad + "]]"))});
}

TEST(KustoValues, EachTypeAcceptsItsEncodingAndRejectsOthers) {
  value_case("kusto.value.type", Level::violation, "bool", "true", "\"true\"");
  // v1 also allows 0/1 for bools; v2 does not.
  check({"kusto.value.bool", Level::violation, Kind::kusto_v1, v1(t1(col("bool"), "[[1],[0]]")),
         v1(t1(col("bool"), "[[2]]"))});
  value_case("kusto.value.type", Level::violation, "bool", "false", "1", false);
  value_case("kusto.value.int", Level::violation, "int", "2147483647", "2147483648");
  value_case("kusto.value.int", Level::violation, "int", "-2147483648", "1.5");
  value_case("kusto.value.long", Level::violation, "long", "9223372036854775807",
             "9223372036854775808");
  value_case("kusto.value.long", Level::violation, "long", "-9223372036854775808",
             "9.223372036854776e18");
  value_case("kusto.value.real", Level::violation, "real", "\"NaN\"", "\"nan\"");
  value_case("kusto.value.real", Level::violation, "double", "\"-Infinity\"", "\"1.5\"");
  value_case("kusto.value.type", Level::violation, "real", "1e308", "true");
  value_case("kusto.value.decimal", Level::violation, "decimal", "\"2.00000000000001\"", "2.5");
  value_case("kusto.value.decimal", Level::violation, "decimal", "\"-1E+20\"", "\"abc\"");
  value_case("kusto.value.guid", Level::violation, "guid", guid, "\"123e27de-1e4e-49d9-b579\"");
  value_case("kusto.value.guid", Level::violation, "uuid", guid, "\"not-a-guid\"");
  value_case("kusto.value.datetime", Level::violation, "datetime",
             "\"2020-03-04T14:05:01.3109965Z\"",
             "\"2020-03-04T14:05:01.31099651Z\""); // 8 fraction digits
  value_case("kusto.value.datetime", Level::violation, "date", "\"2009-04-01T00:00:00Z\"",
             "\"2009-04-01 00:00:00\"");
  value_case("kusto.value.datetime", Level::violation, "datetime", "\"2006-01-02T22:04:05.1Z\"",
             "\"2006-13-02T22:04:05Z\"");
  value_case("kusto.value.timespan", Level::violation, "timespan", "\"1.00:00:01.0010001\"",
             "\"1:00:01\"");
  value_case("kusto.value.timespan", Level::violation, "time", "\"-00:01:00.0001001\"",
             "\"00:61:00\"");
  value_case("kusto.value.timespan-number", Level::warning, "timespan", "\"00:00:00\"",
             "3493235670000");
  value_case("kusto.value.string-null", Level::warning, "string", "\"\"", "null");
  value_case("kusto.value.type", Level::violation, "string", "\"x\"", "1");
  check({"kusto.column.unknown-type", Level::warning, Kind::kusto_v2,
         v2(primary(col("dynamic"), R"([[{"a":[1]}],["x"],[null]])")),
         v2(primary(col("missing"), "[[1]]"))});
}

// Well-formed text values are recognised from simdjson's raw token without unescaping (the
// validator's fast path): whitespace around the token, escapes and near-misses must still be
// judged like the full checks judge them.
TEST(KustoValues, TextFormsAreJudgedFromTheRawToken) {
  value_case("kusto.value.guid", Level::violation, "guid", " \n" + guid + " \t",
             " \"not-a-guid\"\r\n");
  value_case("kusto.value.guid", Level::violation, "guid",
             "\"123E27DE-1E4E-49D9-B579-FE0B331D3642\"",
             "\"\\u0031\\u0032\\u0033e27de-1e4e-49d9-b579-fe0b331d3\""); // escapes, 36 bytes raw
  value_case("kusto.value.guid", Level::violation, "guid", guid,
             "\"123e27de-1e4e-49d9-b579-fe0b331d364-\""); // a dash where a digit belongs
  value_case("kusto.value.guid", Level::violation, "guid", guid,
             "\"123e27de-1e4e-49d9-b579-fe0b331d364g\"");
  value_case("kusto.value.datetime", Level::violation, "datetime", " \"0001-01-01T00:00:00Z\" ",
             "\"0000-01-01T00:00:00Z\"");
  value_case("kusto.value.datetime", Level::violation, "datetime", "\"2020-03-04T14:05:01Z\"",
             "\"2020-03-04T14:05:01\\u005a\"");
  value_case("kusto.value.timespan", Level::violation, "timespan", "\"12345678.23:59:59.9999999\"",
             "\"123456789.00:00:00\"");
  value_case("kusto.value.timespan", Level::violation, "timespan", "\"-1.02:03:04\"",
             "\"1.02:03:04.\"");
  value_case("kusto.value.decimal", Level::violation, "decimal", " \"-0.5e-3\" ", "\"1.5 \"");
}

TEST(KustoValues, AliasesAndNullsAreAccepted) {
  for (std::string type : {"boolean", "uniqueid", "date", "time", "double", "long", "decimal"}) {
    auto findings = validate(Kind::kusto_v2, v2(primary(col(type), "[[null]]")));
    EXPECT_TRUE(findings.empty()) << type << show(findings);
  }
  // Unknown column types are a warning, and their values are not judged.
  auto findings = validate(Kind::kusto_v2, v2(primary(col("missing"), "[[1]]")));
  ASSERT_EQ(findings.size(), 1u) << show(findings);
  EXPECT_EQ(findings[0].rule, "kusto.column.unknown-type");
  EXPECT_EQ(findings[0].path, "$[1].Columns[0].ColumnType");
}

TEST(KustoValues, RowWidthAndPathsNameTheCell) {
  auto two = R"([{"ColumnName":"a","ColumnType":"int"},{"ColumnName":"b","ColumnType":"int"}])";
  check({"kusto.row-width", Level::violation, Kind::kusto_v2, v2(primary(two, "[[1,2]]")),
         v2(primary(two, "[[1,2],[1]]"))});
  check({"kusto.row-width", Level::violation, Kind::kusto_v1, v1(t1(two, "[[1,2]]")),
         v1(t1(two, "[[1,2,3]]"))});
  auto f = validate(Kind::kusto_v2, v2(primary(two, R"([[1,2],[3,"x"]])")));
  ASSERT_EQ(f.size(), 1u) << show(f);
  EXPECT_EQ(f[0].path, "$[1].Rows[1][1]");
  EXPECT_NE(f[0].message.find("column b"), std::string::npos);
}

TEST(KustoV2, FrameStructure) {
  std::string p = primary(col("int"), "[[1]]");
  check({"kusto.v2.frames", Level::violation, Kind::kusto_v2, v2(p), "{\"FrameType\":1}"});
  check({"kusto.v2.frames", Level::violation, Kind::kusto_v2, v2(p), "[]"});
  check({"kusto.v2.frame", Level::violation, Kind::kusto_v2, v2(p), v2("[1]")});
  check({"kusto.v2.frame", Level::violation, Kind::kusto_v2, v2(p), v2(R"({"TableId":1})")});
  check({"kusto.v2.frame", Level::violation, Kind::kusto_v2, v2(p),
         v2(R"({"FrameType":"DataBlob"})")});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, v2(p),
         "[" + p + "," + done + "]"});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, v2(p),
         "[" + head + "," + p + "]"});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, v2(p),
         v2(p).substr(0, v2(p).size() - 1) + "," + p + "]"});
  check({"kusto.v2.json", Level::violation, Kind::kusto_v2, v2(p), v2(p).substr(0, 60)});
  check({"kusto.v2.header", Level::violation, Kind::kusto_v2, v2(p),
         v2(p, R"({"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v1.0"})")});
  check({"kusto.v2.header", Level::violation, Kind::kusto_v2, v2(p),
         v2(p, R"({"FrameType":"DataSetHeader","Version":"v2.0"})")});
  check(
      {"kusto.v2.header", Level::violation, Kind::kusto_v2,
       v2(p,
          R"({"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true,"ErrorReportingPlacement":"EndOfTable"})"),
       v2(p,
          R"({"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","ErrorReportingPlacement":"Somewhere"})")});
  check({"kusto.v2.frame-field", Level::violation, Kind::kusto_v2, v2(p),
         v2(p, R"({"FrameType":"DataSetHeader","IsProgressive":"no","Version":"v2.0"})")});
  check({"kusto.v2.completion", Level::violation, Kind::kusto_v2, v2(p),
         v2(p, head, R"({"FrameType":"DataSetCompletion","HasErrors":false})")});
}

TEST(KustoV2, Tables) {
  std::string p = primary(col("int"), "[[1]]");
  check({"kusto.v2.table-id", Level::violation, Kind::kusto_v2, v2(p), v2(p + "," + p)});
  check({"kusto.v2.table-kind", Level::violation, Kind::kusto_v2, v2(p),
         v2(table(1, "Primary", col("int"), "[]"))});
  check(
      {"kusto.v2.table", Level::violation, Kind::kusto_v2, v2(p),
       v2(R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"T","Columns":[]})")});
  check({"kusto.v2.columns", Level::violation, Kind::kusto_v2, v2(p),
         v2(primary(R"([{"ColumnName":"c","DataType":"Int32"}])", "[]"))});
  check({"kusto.v2.rows", Level::violation, Kind::kusto_v2, v2(p), v2(primary(col("int"), "[1]"))});
  check({"kusto.v2.rows", Level::violation, Kind::kusto_v2, v2(p),
         v2(primary(col("int"), R"([{"Oops":1}])"))});
  std::string qp_cols =
      R"([{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}])";
  check({"kusto.v2.query-properties-schema", Level::violation, Kind::kusto_v2,
         v2(table(0, "QueryProperties", qp_cols, R"([[1,"Visualization","{}"]])")),
         v2(table(0, "QueryProperties", col("string"), "[]"))});
  check({"kusto.v2.qci-schema", Level::violation, Kind::kusto_v2,
         v2(table(2, "QueryCompletionInformation", qci_columns, "[" + qci_row(4) + "]")),
         v2(table(2, "QueryCompletionInformation", col("string"), "[]"))});
  // Rows before Columns (key order is free) are still checked against the columns.
  auto late = v2(
      R"({"FrameType":"DataTable","Rows":[["x"]],"TableId":1,"TableKind":"PrimaryResult","TableName":"T","Columns":[{"ColumnName":"c","ColumnType":"int"}]})");
  auto f = validate(Kind::kusto_v2, late);
  ASSERT_EQ(f.size(), 1u) << show(f);
  EXPECT_EQ(f[0].rule, "kusto.value.type");
}

std::string fragmented(const std::string& body, bool progressive = false) {
  std::string h =
      progressive
          ? R"({"FrameType":"DataSetHeader","IsProgressive":true,"Version":"v2.0"})"
          : R"({"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true})";
  return v2(body, h);
}

const std::string theader =
    R"({"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"T","Columns":[{"ColumnName":"c","ColumnType":"int"}]})";
std::string frag(const std::string& rows, const std::string& type = "DataAppend", int id = 1) {
  return R"({"FrameType":"TableFragment","TableFragmentType":")" + type + R"(","TableId":)" +
         std::to_string(id) + R"(,"Rows":)" + rows + "}";
}
std::string tdone(int count, const std::string& extra = "") {
  return R"({"FrameType":"TableCompletion","TableId":1,"RowCount":)" + std::to_string(count) +
         extra + "}";
}
const std::string progress = R"({"FrameType":"TableProgress","TableId":1,"TableProgress":50.0})";

TEST(KustoV2, FragmentedAndProgressiveTables) {
  std::string good = fragmented(theader + "," + frag("[[1],[2]]") + "," + tdone(2));
  check({"kusto.v2.row-count", Level::violation, Kind::kusto_v2, good,
         fragmented(theader + "," + frag("[[1],[2]]") + "," + tdone(3))});
  check({"kusto.v2.row-count", Level::violation, Kind::kusto_v2,
         fragmented(theader + "," + frag("[[1],[2]]") + "," + frag("[[3]]", "DataReplace") + "," +
                        progress + "," + tdone(1),
                    true),
         fragmented(theader + "," + frag("[[1],[2]]") + "," + frag("[[3]]", "DataReplace") + "," +
                        progress + "," + tdone(3),
                    true)});
  check({"kusto.v2.fragment-type", Level::violation, Kind::kusto_v2, good,
         fragmented(theader + "," + frag("[[1]]", "Append") + "," + tdone(1))});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, good,
         fragmented(frag("[[1]]") + "," + theader + "," + tdone(1))});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, good,
         fragmented(theader + "," + frag("[[1]]") + "," + primary(col("int"), "[]"))});
  check({"kusto.v2.frame-order", Level::violation, Kind::kusto_v2, good,
         fragmented(theader + "," + frag("[[1]]", "DataAppend", 7) + "," + tdone(0))});
  check({"kusto.v2.progress-not-progressive", Level::violation, Kind::kusto_v2,
         fragmented(theader + "," + progress + "," + tdone(0), true),
         fragmented(theader + "," + progress + "," + tdone(0))});
  check({"kusto.v2.progress", Level::violation, Kind::kusto_v2,
         fragmented(theader + "," + progress + "," + tdone(0), true),
         fragmented(theader + R"(,{"FrameType":"TableProgress","TableId":1,"TableProgress":150},)" +
                        tdone(0),
                    true)});
  check({"kusto.v2.frame", Level::violation, Kind::kusto_v2, good,
         fragmented(theader.substr(0, theader.size() - 1) + R"(,"Rows":[]})" + "," + tdone(0))});
  // Values in fragments are checked against the TableHeader's columns.
  auto f = validate(Kind::kusto_v2, fragmented(theader + "," + frag("[[\"x\"]]") + "," + tdone(1)));
  ASSERT_EQ(f.size(), 1u) << show(f);
  EXPECT_EQ(f[0].path, "$[2].Rows[0][0]");
}

TEST(KustoV2, InBandErrorsInAllFourPlacements) {
  std::string errs = "[" + oneapi + "]";
  std::string failed =
      R"({"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":)" +
      errs + "}";
  std::string failed_bare =
      R"({"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false})";
  // 1. in data: an object inside Rows.
  check({"kusto.v2.error-in-data", Level::in_band_error, Kind::kusto_v2,
         v2(primary(col("int"), "[[1]]")),
         v2(primary(col("int"), R"([[1],{"OneApiErrors":)" + errs + "}]"), head, failed)});
  // 2. end of table.
  check({"kusto.v2.error-end-of-table", Level::in_band_error, Kind::kusto_v2,
         fragmented(theader + "," + frag("[[1]]") + "," + tdone(1)),
         v2(theader + "," + frag("[[1]]") + "," + tdone(1, R"(,"OneApiErrors":)" + errs), head,
            failed)});
  // 3. end of dataset.
  check({"kusto.v2.error-end-of-dataset", Level::in_band_error, Kind::kusto_v2, v2(""),
         v2("", head, failed)});
  // 4. QueryCompletionInformation with Level <= 2 (deferred partial failures: HasErrors false).
  check({"kusto.v2.error-completion-information", Level::in_band_error, Kind::kusto_v2,
         v2(table(2, "QueryCompletionInformation", qci_columns, "[" + qci_row(4) + "]")),
         v2(table(2, "QueryCompletionInformation", qci_columns, "[" + qci_row(2) + "]"))});
  check({"kusto.v2.cancelled", Level::in_band_error, Kind::kusto_v2, v2(""),
         v2("", head, R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":true})")});
  // HasErrors must agree with what is present.
  check({"kusto.v2.has-errors", Level::violation, Kind::kusto_v2, v2("", head, failed),
         v2("", head, failed_bare)});
  check(
      {"kusto.v2.has-errors", Level::violation, Kind::kusto_v2, v2("", head, failed),
       v2("", head,
          R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false,"OneApiErrors":)" +
              errs + "}")});
  check(
      {"kusto.oneapi.shape", Level::violation, Kind::kusto_v2, v2("", head, failed),
       v2("", head,
          R"({"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":[{"error":{"code":5}}]})")});
  check(
      {"kusto.oneapi.empty", Level::warning, Kind::kusto_v2, v2("", head, failed),
       v2("", head,
          R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false,"OneApiErrors":[]})")});
}

TEST(KustoV2, NewlineBetweenFramesLayoutAndBomAreAccepted) {
  std::string body = "[" + head + "\n," + primary(col("int"), "[[1]]") + "\n," + done + "\n]";
  EXPECT_TRUE(validate(Kind::kusto_v2, body).empty());
  auto f = validate(Kind::kusto_v2, "\xEF\xBB\xBF" + body);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "kusto.v2.bom");
  EXPECT_EQ(f[0].level, Level::warning);
}

TEST(KustoV1, TablesColumnsRows) {
  std::string good = v1(t1(col("int"), "[[1]]"));
  check({"kusto.v1.tables", Level::violation, Kind::kusto_v1, good, "[]"});
  check({"kusto.v1.tables", Level::violation, Kind::kusto_v1, good, R"({"Tables":{}})"});
  check({"kusto.v1.json", Level::violation, Kind::kusto_v1, good, good.substr(0, 20)});
  check({"kusto.v1.table", Level::violation, Kind::kusto_v1, good,
         v1(R"({"Columns":[],"Rows":[]})")});
  check({"kusto.v1.columns", Level::violation, Kind::kusto_v1, good,
         v1(t1(R"([{"ColumnName":"c"}])", "[]"))});
  check({"kusto.v1.rows", Level::violation, Kind::kusto_v1, good, v1(t1(col("int"), "[1]"))});
  check({"kusto.v1.datatype-only", Level::warning, Kind::kusto_v1, good,
         v1(t1(R"([{"ColumnName":"c","DataType":"Int32"}])", "[[1]]"))});
  // DataType is mapped to the Kusto type: SByte is bool, and 0/1 are bools in v1.
  auto f = validate(Kind::kusto_v1,
                    v1(t1(R"([{"ColumnName":"c","DataType":"SByte"}])", "[[0],[1],[2]]")));
  ASSERT_EQ(f.size(), 2u) << show(f);
  EXPECT_EQ(f[1].rule, "kusto.value.bool");
  EXPECT_EQ(f[1].path, "$.Tables[0].Rows[2][0]");
}

TEST(KustoV1, InBandErrors) {
  std::string good = v1(t1(col("int"), "[[1]]"));
  check({"kusto.v1.exceptions-row", Level::in_band_error, Kind::kusto_v1, good,
         v1(t1(col("int"),
               R"([[1],{"Exceptions":["Query execution has exceeded the allowed limits"]}])"))});
  check({"kusto.v1.exceptions", Level::in_band_error, Kind::kusto_v1, good,
         R"({"Tables":[],"Exceptions":["boom\r\n[0]Kusto.Data.Exceptions..."]})"});
  std::string status_cols =
      R"([{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"Severity","ColumnType":"int"},{"ColumnName":"StatusDescription","ColumnType":"string"}])";
  check({"kusto.v1.query-status", Level::in_band_error, Kind::kusto_v1,
         v1(t1(status_cols, R"([["2020-01-01T00:00:00Z",4,"Query completed successfully"]])")),
         v1(t1(status_cols, R"([["2020-01-01T00:00:00Z",2,"Query failed"]])"))});
}

TEST(KustoV1, TableOfContents) {
  std::string toc_cols =
      R"([{"ColumnName":"Ordinal","ColumnType":"long"},{"ColumnName":"Kind","ColumnType":"string"},{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Id","ColumnType":"string"},{"ColumnName":"PrettyName","ColumnType":"string"}])";
  std::string a = t1(col("int"), "[[1]]"), b = t1(col("string"), R"([["{}"]])");
  std::string toc = t1(
      toc_cols,
      R"([[0,"QueryResult","PrimaryResult","x",""],[1,"QueryProperties","@ExtendedProperties","y",""]])");
  std::string good = v1(a + "," + b + "," + toc);
  check({"kusto.v1.toc", Level::violation, Kind::kusto_v1, good,
         v1(a + "," + b + "," + t1(toc_cols, R"([[0,"QueryResult","PrimaryResult","x",""]])"))});
  check({"kusto.v1.toc", Level::violation, Kind::kusto_v1, good,
         v1(a + "," + b + "," +
            t1(toc_cols, R"([[1,"QueryResult","P","x",""],[0,"QueryProperties","Q","y",""]])"))});
  check({"kusto.v1.toc-kind", Level::warning, Kind::kusto_v1, good,
         v1(a + "," + b + "," +
            t1(toc_cols, R"([[0,"Result","P","x",""],[1,"QueryProperties","Q","y",""]])"))});
  check({"kusto.v1.toc-missing", Level::warning, Kind::kusto_v1, good, v1(a + "," + b + "," + a)});
}

TEST(KustoIngest, ResultShapes) {
  std::string res_cols =
      R"([{"ColumnName":"ResourceTypeName","DataType":"String"},{"ColumnName":"StorageRoot","DataType":"String"}])";
  auto row = [](const std::string& type, const std::string& root) {
    return R"([")" + type + R"(",")" + root + R"("])";
  };
  std::string sas = "https://acct.queue.core.windows.net/q?sv=1&sig=x";
  std::string rows = row("SecuredReadyForAggregationQueue", sas) + "," +
                     row("FailedIngestionsQueue", sas) + "," +
                     row("SuccessfulIngestionsQueue", sas) + "," + row("TempStorage", sas);
  std::string good = v1(t1(res_cols, "[" + rows + "]"));
  check({"kusto.ingest.storage-root", Level::violation, Kind::kusto_v1, good,
         v1(t1(res_cols, "[" + rows + "," + row("TempStorage", "abc") + "]"))});
  check({"kusto.ingest.resources", Level::violation, Kind::kusto_v1, good,
         v1(t1(res_cols, "[" + row("TempStorage", sas) + "]"))});
  check({"kusto.ingest.resource-type", Level::warning, Kind::kusto_v1, good,
         v1(t1(res_cols, "[" + rows + "," + row("MysteryQueue", sas) + "]"))});
  std::string token_cols = R"([{"ColumnName":"AuthorizationContext","DataType":"String"}])";
  check({"kusto.ingest.identity-token", Level::violation, Kind::kusto_v1,
         v1(t1(token_cols, R"([["ctx"]])")), v1(t1(token_cols, R"([[""]])"))});
  check({"kusto.ingest.identity-token", Level::violation, Kind::kusto_v1,
         v1(t1(token_cols, R"([["ctx"]])")), v1(t1(token_cols, R"([["a"],["b"]])"))});
  std::string si_cols =
      R"([{"ColumnName":"ConsumedRecordsCount","DataType":"Int64"},{"ColumnName":"UpdatePolicyStatus","DataType":"String"},{"ColumnName":"UpdatePolicyFailureCode","DataType":"String"},{"ColumnName":"UpdatePolicyFailureReason","DataType":"String"}])";
  check({"kusto.ingest.streaming-result", Level::violation, Kind::kusto_ingest,
         v1(t1(si_cols, R"([[0,"Inactive","Unknown",""]])")), v1(t1(col("long"), "[[0]]"))});
  check({"kusto.ingest.streaming-result", Level::violation, Kind::kusto_ingest,
         v1(t1(si_cols, R"([[0,"Inactive","Unknown",""]])")), v1(t1(si_cols, "[]"))});
}

TEST(KustoIngest, QueuedMessagesAndNotifications) {
  std::string good =
      R"({"Id":"bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3","BlobPath":"https://a.blob.core.windows.net/c/b.csv.gz?sig=s","RawDataSize":8,"DatabaseName":"db","TableName":"T","RetainBlobOnSuccess":true,"FlushImmediately":false,"ReportLevel":0,"ReportMethod":0,"AdditionalProperties":{"authorizationContext":"tok","format":"csv"}})";
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  check({"kusto.ingest.message", Level::violation, Kind::kusto_ingest_message, good,
         with(R"("DatabaseName":"db",)", "")});
  check({"kusto.ingest.message", Level::violation, Kind::kusto_ingest_message, good,
         with("https://a.blob", "file://a.blob")});
  check({"kusto.ingest.message", Level::violation, Kind::kusto_ingest_message, good,
         with("bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3", "42")});
  check({"kusto.ingest.report-level", Level::violation, Kind::kusto_ingest_message, good,
         with(R"("ReportLevel":0)", R"("ReportLevel":3)")});
  check({"kusto.ingest.report-method", Level::violation, Kind::kusto_ingest_message, good,
         with(R"("ReportMethod":0)", R"("ReportMethod":2)")});
  check({"kusto.ingest.authorization-context", Level::violation, Kind::kusto_ingest_message, good,
         with(R"("authorizationContext":"tok",)", "")});
  std::string ok_note =
      R"({"OperationId":"bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3","Database":"db","Table":"T","SucceededOn":"2026-01-01T00:00:00Z","IngestionSourceId":"bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3","IngestionSourcePath":"https://a/b","RootActivityId":"x"})";
  std::string failed_note =
      R"({"OperationId":"bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3","Database":"db","Table":"T","FailedOn":"2026-01-01T00:00:00Z","IngestionSourceId":"bba05f9d-5ed3-4885-b3f8-7a3cf02b02d3","IngestionSourcePath":"https://a/b","Details":"Stream_WrongNumberOfFields","ErrorCode":"BadRequest_InvalidBlob","FailureStatus":"Permanent","RootActivityId":"x","OriginatesFromUpdatePolicy":false,"ShouldRetry":false})";
  check({"kusto.ingest.failed", Level::in_band_error, Kind::kusto_ingest_notification, ok_note,
         failed_note});
  std::string bad_status = failed_note;
  bad_status.replace(bad_status.find("Permanent"), 9, "Forever");
  check({"kusto.ingest.notification", Level::violation, Kind::kusto_ingest_notification, ok_note,
         bad_status});
  check({"kusto.ingest.notification", Level::violation, Kind::kusto_ingest_notification, ok_note,
         R"({"OperationId":"x","Database":"db"})"});
}

http::Request ingest(const std::string& target, const std::string& body, bool gzip_header) {
  http::Request r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  if (gzip_header) r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

bool request_has(const http::Request& r, const std::string& rule) {
  for (const auto& f : validate_ingest_request(r))
    if (f.rule == rule && f.level == Level::violation) return true;
  return false;
}

TEST(KustoIngest, StreamingIngestRequests) {
  const std::string gz("\x1f\x8b\x08\x00", 4);
  EXPECT_TRUE(
      validate_ingest_request(ingest("/v1/rest/ingest/db/T?streamFormat=Csv", gz, true)).empty());
  EXPECT_TRUE(
      validate_ingest_request(
          ingest("/v1/rest/ingest/db/T?streamFormat=multijson&mappingName=my%20map", gz, true))
          .empty());
  EXPECT_TRUE(request_has(ingest("/v1/rest/ingest/db/T", gz, true), "kusto.ingest.stream-format"));
  EXPECT_TRUE(request_has(ingest("/v1/rest/ingest/db/T?streamFormat=xml", gz, true),
                          "kusto.ingest.stream-format"));
  EXPECT_TRUE(request_has(ingest("/v1/rest/ingest/db/T?streamFormat=Avro", gz, true),
                          "kusto.ingest.mapping"));
  // node's ArrayBuffer bug: raw bytes labelled gzip.
  EXPECT_TRUE(request_has(ingest("/v1/rest/ingest/db/T?streamFormat=csv", "z,3\n", true),
                          "kusto.ingest.gzip"));
  EXPECT_TRUE(
      request_has(ingest("/v1/rest/ingest/db?streamFormat=csv", gz, true), "kusto.ingest.request"));
  EXPECT_TRUE(validate_ingest_request(ingest("/v1/rest/ingest/db/T?streamFormat=csv&sourceKind=uri",
                                             R"({"sourceUri":"https://a/b?sig=x"})", false))
                  .empty());
  EXPECT_TRUE(
      request_has(ingest("/v1/rest/ingest/db/T?streamFormat=csv&sourceKind=uri", "{}", false),
                  "kusto.ingest.source-uri"));
}

TEST(KustoError, OneApiBodies) {
  std::string good = oneapi;
  check({"kusto.error.oneapi", Level::in_band_error, Kind::kusto_error, "", good});
  check({"kusto.error.shape", Level::violation, Kind::kusto_error, good, R"({"message":"x"})"});
  check({"kusto.error.json", Level::violation, Kind::kusto_error, good, R"({"error":)"});
  check({"kusto.oneapi.shape", Level::violation, Kind::kusto_error, good,
         R"({"error":{"code":"X","message":"m","@permanent":"no"}})"});
  check({"kusto.oneapi.field-missing", Level::warning, Kind::kusto_error, good,
         R"({"error":{"code":"X","message":"m"}})"});
  check(
      {"kusto.error.permanent", Level::violation, Kind::kusto_error, good,
       R"({"error":{"code":"TooManyRequests","message":"m","@type":"T","@message":"m","@context":{},"@permanent":true}})"});
  auto plain =
      validate(Kind::kusto_error, "General_BadRequest: Request is invalid.\nError details:");
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].rule, "kusto.error.plain-text");
  EXPECT_EQ(plain[1].rule, "kusto.error.text");
  EXPECT_EQ(plain[1].level, Level::in_band_error);
}

bool has_rule(const std::vector<Finding>& fs, const std::string& rule, Level level) {
  for (const auto& f : fs)
    if (f.rule == rule && f.level == level) return true;
  return false;
}

TEST(KustoHttp, HeadersOnEveryResponse) {
  std::string body = v2("");
  http::Headers ok{{"Content-Type", "application/json"},
                   {"x-ms-activity-id", "b6b3b320-588d-4885-bf16-74351ce8d81f"},
                   {"x-ms-client-request-id", "KNC.execute;1"}};
  http::Headers sent{{"x-ms-client-request-id", "KNC.execute;1"}};
  Exchange ex{200, &ok, &sent, ""};
  EXPECT_TRUE(validate(Kind::kusto_v2, body, ex).empty());

  http::Headers no_activity{ok[0], ok[2]};
  EXPECT_TRUE(has_rule(validate(Kind::kusto_v2, body, {200, &no_activity, &sent, ""}),
                       "kusto.http.activity-id", Level::violation));
  http::Headers other_id{ok[0], ok[1], {"x-ms-client-request-id", "KNC.execute;2"}};
  EXPECT_TRUE(has_rule(validate(Kind::kusto_v2, body, {200, &other_id, &sent, ""}),
                       "kusto.http.client-request-id", Level::violation));
  // Nothing sent: the server reports unspecified;<guid>.
  http::Headers none_sent;
  http::Headers unspecified{
      ok[0], ok[1], {"x-ms-client-request-id", "unspecified;d8b893c7-1cd5-4e65-b9a5-1b8feba21080"}};
  EXPECT_TRUE(validate(Kind::kusto_v2, body, {200, &unspecified, &none_sent, ""}).empty());
  EXPECT_TRUE(has_rule(validate(Kind::kusto_v2, body, {200, &other_id, &none_sent, ""}),
                       "kusto.http.client-request-id", Level::warning));
  // Errors carry the headers too, and their code must fit the status.
  std::string err =
      R"({"error":{"code":"TooManyRequests","message":"m","@type":"T","@message":"m","@context":{},"@permanent":false}})";
  EXPECT_FALSE(has_rule(validate(Kind::kusto_error, err, {429, &ok, &sent, ""}),
                        "kusto.error.status", Level::violation));
  EXPECT_TRUE(has_rule(validate(Kind::kusto_error, err, {400, &ok, &sent, ""}),
                       "kusto.error.status", Level::violation));
  EXPECT_TRUE(has_rule(validate(Kind::kusto_error, err, {429, &no_activity, &sent, ""}),
                       "kusto.http.activity-id", Level::violation));
  // Content-Type and Content-Encoding must tell the truth about the (decoded) body.
  http::Headers text_type{{"Content-Type", "text/plain"}, ok[1], ok[2]};
  EXPECT_TRUE(has_rule(validate(Kind::kusto_v2, body, {200, &text_type, &sent, ""}),
                       "kusto.http.content-type", Level::violation));
  http::Headers br{ok[0], ok[1], ok[2], {"Content-Encoding", "br"}};
  EXPECT_TRUE(has_rule(validate(Kind::kusto_v2, body, {200, &br, &sent, ""}),
                       "kusto.http.content-encoding", Level::violation));
  EXPECT_TRUE(
      has_rule(validate(Kind::kusto_v2, std::string("\x1f\x8b\x08\x00", 4), {200, &ok, &sent, ""}),
               "kusto.http.content-encoding", Level::violation));
}

TEST(Kinds, ErrorStatusesAreJudgedAsErrorBodies) {
  auto f = validate(Kind::kusto_v2, oneapi, {429, nullptr, nullptr, ""});
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].rule, "kusto.error.oneapi") << show(f);
  auto k =
      validate(Kind::ksql_stream, R"({"@type":"generic_error","error_code":40000,"message":"m"})",
               {400, nullptr, nullptr, ""});
  ASSERT_EQ(k.size(), 1u) << show(k);
  EXPECT_EQ(k[0].rule, "ksql.error.reported");
}

TEST(Kinds, NamesRoundTripAndDetection) {
  for (auto k : {Kind::kusto_v1, Kind::kusto_v2, Kind::kusto_error, Kind::kusto_ingest,
                 Kind::ksql_entities, Kind::ksql_error, Kind::ksql_stream, Kind::json, Kind::text,
                 Kind::kusto_ingest_message, Kind::kusto_ingest_notification})
    EXPECT_EQ(parse_kind(to_string(k)), k) << to_string(k);
  EXPECT_EQ(parse_kind("kusto_v2"), Kind::kusto_v2);
  EXPECT_FALSE(parse_kind("kusto-v3"));
  EXPECT_EQ(to_string(Level::in_band_error), "in-band-error");
  EXPECT_EQ(detect_kind(v2("")), Kind::kusto_v2);
  EXPECT_EQ(detect_kind(v1(t1(col("int"), "[]"))), Kind::kusto_v1);
  EXPECT_EQ(detect_kind(oneapi), Kind::kusto_error);
  EXPECT_EQ(detect_kind("Bad request: Control commands"), Kind::kusto_error);
  EXPECT_EQ(detect_kind(R"({"@type":"generic_error","error_code":40000,"message":"m"})"),
            Kind::ksql_error);
  EXPECT_EQ(detect_kind(R"([{"@type":"streams","statementText":"x"}])"), Kind::ksql_entities);
  EXPECT_EQ(detect_kind(R"([{"header":{"queryId":"q","schema":"`A` INT"}}])"), Kind::ksql_stream);
  EXPECT_EQ(detect_kind("{\"queryId\":\"q\",\"columnNames\":[],\"columnTypes\":[]}\n"),
            Kind::ksql_stream);
  EXPECT_EQ(detect_kind(R"({"KsqlServerInfo":{}})"), Kind::ksql_entities);
  EXPECT_EQ(detect_kind(R"({"a":1})"), Kind::json);
  EXPECT_EQ(detect_kind("hello"), Kind::text);
  EXPECT_FALSE(detect_kind("   "));
}

TEST(Findings, AreCappedPerRuleSoNoRuleHidesAnother) {
  // 5000 null strings (warnings) and then one bad long (a violation): the warnings are cut after
  // 20 and counted, the violation is still listed.
  std::string rows;
  for (int i = 0; i < 5000; ++i)
    rows += std::string(i ? "," : "") + "[null,1]";
  rows += R"(,["x",1.5])";
  auto two = R"([{"ColumnName":"s","ColumnType":"string"},{"ColumnName":"n","ColumnType":"long"}])";
  auto f = validate(Kind::kusto_v2, v2(primary(two, "[" + rows + "]")));
  ASSERT_EQ(f.size(), 22u) << show(f);
  EXPECT_EQ(f[20].rule, "kusto.value.long");
  EXPECT_EQ(f[20].path, "$[1].Rows[5000][1]");
  EXPECT_EQ(f[21].rule, "kusto.value.string-null");
  EXPECT_EQ(f[21].level, Level::warning);
  EXPECT_NE(f[21].message.find("4980 more"), std::string::npos) << f[21].message;
}

} // namespace
} // namespace konform::protocol
