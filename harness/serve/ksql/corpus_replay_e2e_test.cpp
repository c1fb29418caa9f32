// Replays ksqlDB's own REST query-validation test cases (../shared/corpus/ksql, RQTT format) that
// fall inside konform's subset against konform serve over loopback: the admin statements go to
// /ksql in one request, inputs become INSERT INTO ... VALUES, each SELECT goes to /query, and
// the responses and errors are matched the way RestTestExecutor matches them (subset objects,
// `|starts_with` keys, row columns as a multiset unless verifyOrder).
#include "core/text.h"
#include "http/client.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/http_server.h"
#include "serve/ksql/database.h"
#include "serve/ksql/ksql_service.h"
#include "serve/ksql/sql_parser.h"
#include "test_support/shared_dir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace konform::serve::ksql {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;

// The RQTT loader reads JSON with comments; strip `//` comments outside string literals.
std::string strip_comments(const std::string& s) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < s.size())
        out += s[++i];
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n')
        ++i;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

// By value: a range-for over `x.get_array().value()` would iterate a destroyed temporary.
simdjson::dom::array as_array(element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}
simdjson::dom::object as_object(element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}

std::string str(element e) {
  std::string_view v;
  return e.get_string().get(v) == simdjson::SUCCESS ? std::string(v) : json::compact(e);
}

// --- the subset --------------------------------------------------------------------------------
// A case is inside the subset when every part of it is something konform serve implements:
// the reasons below are what the test reports for the cases it leaves out.
struct Gate {
  std::string reason; // empty: inside the subset
};

bool uses_outside_features(const Statement& st, std::string& why) {
  auto check_select = [&](const Select& s) {
    if (s.group_by || s.window || s.having) {
      why = "aggregation (GROUP BY / WINDOW / HAVING)";
      return true;
    }
    if (s.join) {
      why = "JOIN";
      return true;
    }
    if (s.partition_by) {
      why = "PARTITION BY";
      return true;
    }
    std::function<bool(const Expr&)> has_call = [&](const Expr& e) {
      if (e.kind == Expr::Kind::Call) return true;
      for (auto& a : e.args)
        if (has_call(a)) return true;
      return false;
    };
    for (auto& item : s.items)
      if (!item.star && has_call(item.expr)) {
        why = "functions in SELECT";
        return true;
      }
    if (s.where && has_call(*s.where)) {
      why = "functions in WHERE";
      return true;
    }
    return false;
  };
  switch (st.type) {
  case Statement::Type::CreateSource:
    for (auto& [k, v] : st.with)
      if (k == "WINDOW_TYPE" || k == "KEY_SCHEMA_ID" || k == "VALUE_SCHEMA_ID") {
        why = "windowed or Schema Registry sources";
        return true;
      }
    if (st.columns.empty()) {
      why = "schema inference from Schema Registry";
      return true;
    }
    for (auto& c : st.columns)
      if (c.name == "HEADERS" || c.type.base == BaseType::Bytes) {
        why = "header and BYTES columns";
        return true;
      }
    return false;
  case Statement::Type::CreateAsSelect:
  case Statement::Type::Select:
    return check_select(st.select);
  case Statement::Type::InsertValues:
    return false;
  default:
    why = "statement types other than CREATE, INSERT VALUES and SELECT";
    return true;
  }
}

// --- matching (RestTestExecutor.matchResponseFields) -------------------------------------------
bool numbers_equal(element a, element b) {
  double x = 0, y = 0;
  auto get = [](element e, double& d) {
    if (e.is_double()) return e.get_double().get(d) == simdjson::SUCCESS;
    std::int64_t i = 0;
    if (e.get_int64().get(i) == simdjson::SUCCESS) {
      d = static_cast<double>(i);
      return true;
    }
    std::uint64_t u = 0;
    if (e.get_uint64().get(u) == simdjson::SUCCESS) {
      d = static_cast<double>(u);
      return true;
    }
    return false;
  };
  return get(a, x) && get(b, y) && std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(x));
}

bool matches(element expected, element actual, std::string& why, const std::string& where) {
  using T = simdjson::dom::element_type;
  auto fail = [&](const std::string& m) {
    why = where + ": " + m + " (expected " + json::compact(expected) + ", got " +
          json::compact(actual) + ")";
    return false;
  };
  if (expected.type() == T::OBJECT) {
    if (actual.type() != T::OBJECT) return fail("not an object");
    for (auto [k, v] : as_object(expected)) {
      std::string key(k);
      bool prefix = false;
      if (auto bar = key.find("|starts_with"); bar != std::string::npos) {
        key = key.substr(0, bar);
        prefix = true;
      }
      element got;
      if (actual[key].get(got) != simdjson::SUCCESS) return fail("missing field " + key);
      if (prefix) {
        if (str(got).rfind(str(v), 0) != 0) return fail(key + " does not start with " + str(v));
        continue;
      }
      if (!matches(v, got, why, where + "." + key)) return false;
    }
    return true;
  }
  if (expected.type() == T::ARRAY) {
    if (actual.type() != T::ARRAY) return fail("not an array");
    auto e = expected.get_array().value();
    auto a = actual.get_array().value();
    if (e.size() != a.size()) return fail("array sizes differ");
    for (std::size_t i = 0; i < e.size(); ++i)
      if (!matches(e.at(i).value(), a.at(i).value(), why, where + "[" + std::to_string(i) + "]"))
        return false;
    return true;
  }
  if (expected.is_number() && actual.is_number())
    return numbers_equal(expected, actual) ? true : fail("numbers differ");
  if (json::compact(expected) != json::compact(actual)) return fail("values differ");
  return true;
}

// A /query StreamedRow response as the Java client reads it: line by line, `[`, `]` and a
// trailing `,` stripped, each line one JSON document.
std::vector<json::Document> read_streamed_rows(const std::string& body, std::string& why) {
  std::vector<json::Document> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = line;
    if (!l.empty() && l.front() == '[') l.remove_prefix(1);
    if (!l.empty() && l.back() == ']') l.remove_suffix(1);
    if (!l.empty() && l.back() == ',') l.remove_suffix(1);
    if (l.empty()) continue;
    auto doc = json::Document::parse(l, "query response line");
    if (!doc) {
      why = doc.error().message;
      return {};
    }
    out.push_back(std::move(doc.value()));
  }
  return out;
}

bool match_query(element expected, const std::vector<json::Document>& actual, bool verify_order,
                 std::string& why) {
  auto exp = expected.get_array().value();
  if (exp.size() != actual.size()) {
    why = "the query returned " + std::to_string(actual.size()) + " elements, expected " +
          std::to_string(exp.size());
    return false;
  }
  std::vector<element> expected_rows, actual_rows;
  for (std::size_t i = 0; i < exp.size(); ++i) {
    element e = exp.at(i).value();
    element a = actual[i].root();
    element probe;
    if (!verify_order && e["row"].get(probe) == simdjson::SUCCESS &&
        a["row"].get(probe) == simdjson::SUCCESS) {
      expected_rows.push_back(e);
      actual_rows.push_back(a);
      continue;
    }
    if (!matches(e, a, why, "query[" + std::to_string(i) + "]")) return false;
  }
  // Rows as a multiset: each expected row takes a distinct actual row that matches it.
  std::vector<bool> used(actual_rows.size(), false);
  for (auto e : expected_rows) {
    bool found = false;
    for (std::size_t j = 0; j < actual_rows.size() && !found; ++j) {
      std::string ignored;
      if (!used[j] && matches(e, actual_rows[j], ignored, "row")) {
        used[j] = true;
        found = true;
      }
    }
    if (!found) {
      why = "no returned row matches " + json::compact(e);
      return false;
    }
  }
  return true;
}

// --- one case --------------------------------------------------------------------------------
struct CaseResult {
  bool in_subset = false;
  std::string excluded_because;
  bool passed = false;
  std::string failure;
};

std::string sql_literal(element v, bool& ok) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
  case T::STRING: {
    std::string s = "'";
    for (char c : str(v))
      s += c == '\'' ? std::string("''") : std::string(1, c);
    return s + "'";
  }
  case T::NULL_VALUE:
    return "NULL";
  case T::BOOL:
  case T::INT64:
  case T::UINT64:
  case T::DOUBLE:
    return json::compact(v);
  default:
    ok = false; // nested values are outside the replay's INSERT mapping
    return {};
  }
}

class Replayer {
public:
  Replayer() {
    service_ = std::move(KsqlService::create({}).value());
    ServerOptions so;
    so.threads = 1;
    // Requests go to the current service, which each case replaces (cases reuse names).
    server_ = std::make_unique<HttpServer>(
        so, [this](const ServerRequest& r) { return service_->handle(r); });
    started_ = server_->start().ok();
  }

  CaseResult run(element tc) {
    CaseResult result;
    auto exclude = [&](std::string why) {
      result.excluded_because = std::move(why);
      return result;
    };
    if (!started_) return exclude("server did not start");
    bool enabled = true;
    if (tc["enabled"].get(enabled) == simdjson::SUCCESS && !enabled)
      return exclude("disabled upstream");
    element probe;
    std::string case_name = str(tc["name"].value());
    // Named exclusions, each with its reason.
    if (case_name == "should fail on mismatch between key and key field values when stream has key")
      return exclude("the legacy key-field check (it contradicts the passing case 'key and key "
                     "field should match when stream has int key')");
    if (tc["topics"].get(probe) == simdjson::SUCCESS) return exclude("Schema Registry topics");
    if (tc["format"].get(probe) == simdjson::SUCCESS)
      return exclude("{FORMAT} expansion (AVRO/PROTOBUF)");
    if (tc["testPullWithProtoFormat"].get(probe) == simdjson::SUCCESS)
      return exclude("protobuf query responses");
    std::map<std::string, std::string> properties = {
        {"ksql.streams.auto.offset.reset", "earliest"}};
    if (tc["properties"].get(probe) == simdjson::SUCCESS) {
      for (auto [k, v] : as_object(probe)) {
        std::string key(k);
        // Switches whose "on" value is what konform always does (it scans every pull query).
        bool always_on = key == "ksql.query.pull.table.scan.enabled" ||
                         key == "ksql.query.pull.range.scan.enabled" ||
                         key == "ksql.query.pull.stream.enabled";
        if (always_on && str(v) == "true") continue;
        if (key != "auto.offset.reset" && key != "ksql.streams.auto.offset.reset")
          return exclude("server properties konform does not implement (scan switches off, "
                         "LIMIT clause switch)");
        properties["ksql.streams.auto.offset.reset"] = str(v);
      }
    }

    // Statements: admin ones before the first SELECT, then the queries.
    std::vector<std::string> admin, queries;
    for (auto s : as_array(tc["statements"])) {
      std::string text = str(s);
      bool is_select = text::istarts_with(text::trim(text), "SELECT ");
      if (is_select || !queries.empty())
        queries.push_back(text);
      else
        admin.push_back(text);
    }
    std::string admin_text;
    for (auto& a : admin)
      admin_text += (admin_text.empty() ? "" : "\n") + a;
    std::map<std::string, std::vector<std::string>> topic_sources;
    std::map<std::string, std::vector<Column>> source_columns;
    for (auto* group : {&admin, &queries})
      for (auto& text : *group) {
        auto parsed = parse_statements(text);
        if (!parsed) {
          // Only a case expecting a syntax error stays in: anything else is a gap in
          // konform's grammar, not a comparison.
          element expected, message;
          if (tc["expectedError"].get(expected) != simdjson::SUCCESS ||
              expected["message"].get(message) != simdjson::SUCCESS ||
              str(message).find("Syntax Error") == std::string::npos)
            return exclude("SQL outside konform's grammar");
          continue; // a syntax error the case may expect: the server's answer is checked
        }
        for (auto& st : *parsed) {
          std::string why;
          if (uses_outside_features(st, why)) return exclude(why);
          if (st.type == Statement::Type::Select && st.select.emit_changes && !st.select.limit)
            return exclude("push queries without LIMIT (they never end)");
          if (st.type == Statement::Type::CreateSource) {
            for (auto& [k, v] : st.with)
              if (k == "KAFKA_TOPIC") topic_sources[v.text].push_back(st.name);
            for (auto& c : st.columns)
              source_columns[st.name].push_back(Column{c.name, c.type, c.key});
          }
        }
      }

    // Inputs become INSERT INTO ... VALUES on the one source reading their topic.
    std::vector<std::string> inserts;
    if (tc["inputs"].get(probe) == simdjson::SUCCESS) {
      for (auto input : as_array(probe)) {
        std::string topic = str(input["topic"].value());
        auto sources = topic_sources.find(topic);
        if (sources == topic_sources.end() || sources->second.size() != 1)
          return exclude("inputs on topics read by several or no sources");
        element value, extra;
        if (input["value"].get(value) != simdjson::SUCCESS || !value.is_object())
          return exclude("tombstones or non-object input values");
        if (input["window"].get(extra) == simdjson::SUCCESS ||
            input["headers"].get(extra) == simdjson::SUCCESS)
          return exclude("windowed keys or record headers in inputs");
        const auto& name = sources->second[0];
        const auto& cols = source_columns[name];
        std::vector<std::string> names, values;
        bool ok = true;
        std::int64_t ts = 0;
        if (input["timestamp"].get(ts) == simdjson::SUCCESS) {
          names.push_back("ROWTIME");
          values.push_back(std::to_string(ts));
        }
        std::vector<const Column*> keys;
        for (auto& c : cols)
          if (c.key) keys.push_back(&c);
        element key;
        if (!keys.empty() && input["key"].get(key) == simdjson::SUCCESS) {
          if (keys.size() != 1) return exclude("multi-column keys in inputs");
          names.push_back("`" + keys[0]->name + "`");
          values.push_back(sql_literal(key, ok));
        }
        for (auto [k, v] : as_object(value)) {
          const Column* col = nullptr;
          for (auto& c : cols)
            if (!c.key && text::iequals(c.name, k)) col = &c;
          if (!col) return exclude("input fields that are not columns");
          names.push_back("`" + col->name + "`");
          values.push_back(sql_literal(v, ok));
        }
        if (!ok) return exclude("nested input values");
        std::string sql = "INSERT INTO `" + name + "` (";
        for (std::size_t i = 0; i < names.size(); ++i)
          sql += (i ? ", " : "") + names[i];
        sql += ") VALUES (";
        for (std::size_t i = 0; i < values.size(); ++i)
          sql += (i ? ", " : "") + values[i];
        inserts.push_back(sql + ");");
      }
    }

    result.in_subset = true;
    result.failure = replay(tc, admin_text, inserts, queries, properties);
    result.passed = result.failure.empty();
    return result;
  }

private:
  http::Response post(const std::string& path, const std::string& ksql,
                      const std::map<std::string, std::string>& properties, std::string& error) {
    std::string body = "{\"ksql\":";
    json::append_quoted(body, ksql);
    body += ",\"streamsProperties\":{";
    bool first = true;
    for (auto& [k, v] : properties) {
      body += first ? "" : ",";
      first = false;
      json::append_quoted(body, k);
      body += ':';
      json::append_quoted(body, v);
    }
    body += "}}";
    http::ClientOptions co;
    co.timeout = std::chrono::seconds(5);
    http::Client client(*http::parse_url(server_->url()), co);
    auto r = client.send({"POST", path, {{"Accept", "application/json"}}, body});
    if (!r) {
      error = path + ": " + r.error().message;
      return {};
    }
    return std::move(r.value());
  }

  // Empty when the case passes; otherwise what differed.
  std::string replay(element tc, const std::string& admin, const std::vector<std::string>& inserts,
                     const std::vector<std::string>& queries,
                     const std::map<std::string, std::string>& properties) {
    service_ = std::move(KsqlService::create({}).value()); // a fresh database per case
    element expected_error;
    bool expects_error = tc["expectedError"].get(expected_error) == simdjson::SUCCESS;
    bool verify_order = false;
    element oc;
    if (tc["outputConditions"].get(oc) == simdjson::SUCCESS)
      if (oc["verifyOrder"].get(verify_order) != simdjson::SUCCESS) verify_order = false;
    std::vector<element> expected_admin, expected_queries;
    element responses;
    if (tc["responses"].get(responses) == simdjson::SUCCESS)
      for (auto r : as_array(responses)) {
        element part;
        if (r["admin"].get(part) == simdjson::SUCCESS)
          expected_admin.push_back(part);
        else if (r["query"].get(part) == simdjson::SUCCESS)
          expected_queries.push_back(part);
      }

    auto check_error = [&](const http::Response& r, const std::string& last_statement) {
      if (r.status == 200)
        return std::string("expected an error, got 200: ") + r.body.substr(0, 300);
      auto doc = json::Document::parse(r.body, "error body");
      if (!doc) return "the error body is not JSON: " + r.body;
      std::string type, message;
      element field;
      if (expected_error["status"].get(field) == simdjson::SUCCESS &&
          field.get_int64().value() != r.status)
        return "status " + std::to_string(r.status) + ", expected " + json::compact(field);
      if (expected_error["message"].get(field) == simdjson::SUCCESS) {
        element got;
        if (doc->root()["message"].get(got) != simdjson::SUCCESS ||
            str(got).find(str(field)) == std::string::npos)
          return "message " + r.body + " does not contain " + str(field);
      }
      if (expected_error["type"].get(field) == simdjson::SUCCESS &&
          str(field).find("KsqlStatementErrorMessage") != std::string::npos) {
        element t, text;
        if (doc->root()["@type"].get(t) != simdjson::SUCCESS || str(t) != "statement_error")
          return "expected a statement_error, got " + r.body;
        if (doc->root()["statementText"].get(text) != simdjson::SUCCESS ||
            str(text).find(text::trim(last_statement)) == std::string::npos)
          return "statementText does not contain the failing statement: " + r.body;
      }
      return std::string();
    };

    std::string error;
    if (!admin.empty()) {
      auto r = post("/ksql", admin, properties, error);
      if (!error.empty()) return error;
      if (r.status != 200) {
        if (expects_error) return check_error(r, admin.substr(admin.rfind('\n') + 1));
        return "/ksql failed: " + r.body;
      }
      auto doc = json::Document::parse(r.body, "/ksql response");
      if (!doc) return doc.error().message;
      auto entities = doc->root().get_array().value();
      if (entities.size() < expected_admin.size())
        return "/ksql returned " + std::to_string(entities.size()) + " entities, expected " +
               std::to_string(expected_admin.size());
      for (std::size_t i = 0; i < expected_admin.size(); ++i) {
        std::string why;
        if (!matches(expected_admin[i], entities.at(i).value(), why, "admin")) return why;
      }
    }
    for (auto& insert : inserts) {
      auto r = post("/ksql", insert, {}, error);
      if (!error.empty()) return error;
      if (r.status != 200) return "input " + insert + " failed: " + r.body;
    }
    for (std::size_t i = 0; i < queries.size(); ++i) {
      auto r = post("/query", queries[i], properties, error);
      if (!error.empty()) return error;
      if (r.status != 200) {
        if (expects_error) return check_error(r, queries[i]);
        return "/query failed: " + r.body;
      }
      if (i >= expected_queries.size()) continue;
      std::string why;
      auto rows = read_streamed_rows(r.body, why);
      if (!why.empty()) return why;
      if (!match_query(expected_queries[i], rows, verify_order, why))
        return why + "\n  body: " + r.body.substr(0, 600);
    }
    if (expects_error) return "expected an error, every request succeeded";
    return {};
  }

  std::unique_ptr<KsqlService> service_;
  std::unique_ptr<HttpServer> server_; // declared last: stopped before the service goes
  bool started_ = false;
};

TEST(KsqlCorpusReplay, InSubsetCasesPass) {
  KONFORM_SKIP_WITHOUT_SHARED("corpus/ksql");
  fs::path dir = test_support::shared_path("corpus/ksql");
  std::vector<fs::path> files;
  int other_files_cases = 0;
  for (auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name.rfind("extracted__", 0) == 0) continue;
    // HEAD (ksqlDB 0.29-and-later wire) RQTT files; the KSQL 5.4 files are another generation,
    // and scalable push queries are a server feature konform does not emulate.
    if (name.rfind("ksqldb-functional-tests__", 0) == 0 &&
        name.find("scalable-push") == std::string::npos) {
      files.push_back(entry.path());
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = json::Document::parse(strip_comments(ss.str()), name);
    simdjson::dom::array tests;
    if (doc && doc->root()["tests"].get_array().get(tests) == simdjson::SUCCESS)
      other_files_cases += static_cast<int>(tests.size());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  int total = 0, in_subset = 0, passed = 0;
  std::map<std::string, int> excluded;
  std::vector<std::string> failures;
  Replayer replayer;
  for (auto& file : files) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = json::Document::parse(strip_comments(ss.str()), file.filename().string());
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    for (auto tc : as_array(doc->root()["tests"])) {
      ++total;
      auto r = replayer.run(tc);
      if (!r.in_subset) {
        ++excluded[r.excluded_because];
        continue;
      }
      ++in_subset;
      if (r.passed)
        ++passed;
      else
        failures.push_back(file.filename().string() + " / " + str(tc["name"].value()) + ": " +
                           r.failure);
    }
  }
  std::printf("ksqlDB RQTT corpus: %d cases in the replayed files (%d more in the KSQL 5.4 and "
              "scalable-push files, not replayed), %d inside konform's subset, %d of them pass\n",
              total, other_files_cases, in_subset, passed);
  for (auto& [why, n] : excluded)
    std::printf("  excluded %3d: %s\n", n, why.c_str());
  for (auto& f : failures)
    ADD_FAILURE() << f;
  EXPECT_GT(in_subset, 0);
}

} // namespace
} // namespace konform::serve::ksql
