#include "scenario/parser.h"

#include "core/file.h"
#include "core/regex.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "scenario/json_path.h"
#include "scenario/roots.h"
#include "scenario/source_map.h"
#include "scenario/variables.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace konform::scenario {

std::string_view to_string(Endpoint endpoint) {
  return endpoint == Endpoint::kusto ? "kusto" : "ksql";
}

namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::element_type;

const std::vector<std::string_view> kScenarioFields = {
    "$schema", "name", "description", "endpoint", "http", "variables", "steps"};
const std::vector<std::string_view> kStepFields = {
    "name",          "method", "path",        "headers", "body",   "bodyFile", "bodyLines",
    "bodyLinesFile", "gzip",   "streamForMs", "http",    "expect", "capture"};
const std::vector<std::string_view> kExpectFields = {"status", "headers", "protocol", "golden",
                                                     "rules"};
const std::vector<std::string_view> kHeaderFields = {"present", "equals", "regex"};
const std::vector<std::string_view> kRuleFields = {"ignore", "unordered", "tolerance", "matchers",
                                                   "protocolDefaults"};
const std::vector<std::string_view> kMethods = {"GET",   "POST", "PUT",    "DELETE",
                                                "PATCH", "HEAD", "OPTIONS"};

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

using text::join;

class Parser {
public:
  Parser(std::string_view text, std::string file, const ParseOptions& options)
      : text_(text), file_(std::move(file)), options_(options) {
    dir_ = fs::path(file_).parent_path();
    for (const auto& r : options.roots.empty() ? std::vector{default_root(file_)} : options.roots)
      roots_.push_back(resolved(r));
  }

  Result<Scenario> run() {
    auto doc = json::Document::parse(text_, file_);
    if (!doc) return make_error(doc.error().message + "; fix the JSON syntax first");
    map_.emplace(text_);
    element root = doc->root();
    if (!root.is_object()) {
      error("a scenario file holds one JSON object {\"name\": ..., \"steps\": [...]}");
      return finish();
    }
    simdjson::dom::object top = root.get_object().value_unsafe();
    check_fields(top, kScenarioFields, "a scenario");

    scenario_.file = file_;
    scenario_.name = fs::path(file_).stem().string();
    if (auto e = field(top, "name")) scenario_.name = string_at("name", *e, "a non-empty string");
    if (auto e = field(top, "description"))
      scenario_.description = string_at("description", *e, "a string");
    if (auto e = field(top, "endpoint")) {
      Scope s(*this, "endpoint");
      std::string_view v;
      if (e->get_string().get(v) || (v != "kusto" && v != "ksql"))
        error("\"endpoint\" is \"kusto\" or \"ksql\": the service this scenario talks to");
      else
        scenario_.endpoint = v == "kusto" ? Endpoint::kusto : Endpoint::ksql;
    }

    if (auto e = field(top, "http")) scenario_.http2 = parse_http(*e);

    defined_ = {"uuid", "target"};
    for (const auto& v : options_.external_variables)
      defined_.insert(v);
    if (auto e = field(top, "variables")) parse_variables(*e);

    auto steps = field(top, "steps");
    if (!steps) {
      error("missing field \"steps\": add \"steps\": [ {\"name\": ..., \"path\": ...} ]");
    } else {
      Scope s(*this, "steps");
      simdjson::dom::array array;
      if (steps->get_array().get(array) || array.size() == 0) {
        error("\"steps\" must be a non-empty array of step objects");
      } else {
        // Every capture is known up front, so "used before it is captured" gets its own hint.
        for (element step : array) {
          simdjson::dom::object so, captures;
          std::string_view name;
          if (step.get_object().get(so) || so["capture"].get_object().get(captures)) continue;
          if (so["name"].get_string().get(name)) name = "?";
          for (auto member : captures)
            captured_later_.emplace(member.key, name);
        }
        scenario_.steps.reserve(array.size());
        std::size_t i = 0;
        for (element step : array) {
          Scope si(*this, i++);
          parse_step(step);
        }
      }
    }
    return finish();
  }

private:
  // Keeps path_ in step with the walk, so any message can be located through the source map.
  struct Scope {
    Scope(Parser& p, std::string_view key) : p_(p) {
      p_.path_.push_back({std::string(key), 0, false});
    }
    Scope(Parser& p, std::size_t index) : p_(p) { p_.path_.push_back({"", index, true}); }
    ~Scope() { p_.path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    Parser& p_;
  };

  std::string at(std::size_t offset) const {
    auto loc = map_->location(offset);
    return file_ + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }
  // The current path's value; a lookup in the source map costs the path's depth, not the text's
  // length (a rescan per step made parsing quadratic in the number of steps).
  std::string where() const { return at(map_->value_offset(path_)); }
  void error(const std::string& message) { errors_.push_back(where() + ": " + message); }

  // An unknown field is reported at its name, which is what the user has to retype.
  void error_at_key(const std::string& message) {
    errors_.push_back(at(map_->key_offset(path_)) + ": " + message);
  }

  Result<Scenario> finish() {
    if (errors_.empty()) return std::move(scenario_);
    std::string all;
    for (const auto& e : errors_) {
      if (!all.empty()) all += "\n";
      all += e;
    }
    return make_error(all, ErrorKind::scenario);
  }

  static std::optional<element> field(simdjson::dom::object object, std::string_view key) {
    element e;
    if (object.at_key(key).get(e)) return std::nullopt;
    return e;
  }

  void check_fields(simdjson::dom::object object, const std::vector<std::string_view>& known,
                    std::string_view context) {
    for (auto member : object) {
      std::string_view key = member.key;
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      Scope s(*this, key);
      std::string hint = closest_name(key, known);
      error_at_key("unknown field " + in_quotes(key) + " in " + std::string(context) +
                   (hint.empty() ? "; the fields are: " + join(known)
                                 : "; did you mean " + in_quotes(hint) + "?"));
    }
  }

  std::string string_at(std::string_view key, element e, std::string_view what) {
    Scope s(*this, key);
    std::string_view v;
    if (e.get_string().get(v) || (what.find("non-empty") != std::string_view::npos && v.empty())) {
      error(in_quotes(key) + " must be " + std::string(what));
      return {};
    }
    return std::string(v);
  }

  // Checks that every ${name} in `value` is defined at this point; located at the current path.
  void check_variables(std::string_view value) {
    VariableSyntaxError syntax;
    auto names = referenced_variables(value, &syntax);
    if (!names) {
      error(names.error().message);
      return;
    }
    for (const auto& n : *names) {
      if (defined_.count(n)) continue;
      auto later = captured_later_.find(n);
      if (later != captured_later_.end())
        error("variable ${" + n + "} is used before step " + in_quotes(later->second) +
              " captures it; move the step after the capture");
      else
        error("undefined variable ${" + n +
              "}: define it in \"variables\", capture it in an "
              "earlier step, or pass --var " +
              n + "=VALUE");
    }
  }

  void parse_variables(element e) {
    Scope s(*this, "variables");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("\"variables\" must be an object of name: string value pairs");
      return;
    }
    for (auto member : object) {
      Scope sk(*this, member.key);
      std::string_view value;
      if (member.value.get_string().get(value)) {
        error("variable " + in_quotes(member.key) + " must be a string; write numbers as \"42\"");
        continue;
      }
      check_variables(value);
      scenario_.variables.emplace_back(std::string(member.key), std::string(value));
      defined_.insert(std::string(member.key));
    }
  }

  void parse_step(element e) {
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("a step must be an object with at least \"name\" and \"path\"");
      return;
    }
    Step step;
    step.location = where();
    check_fields(object, kStepFields, "a step");

    if (auto v = field(object, "name"))
      step.name = string_at("name", *v, "a non-empty string");
    else
      error("missing field \"name\": every step needs a name that is unique in its scenario");
    if (!step.name.empty() && !step_names_.insert(step.name).second) {
      Scope s(*this, "name");
      error("duplicate step name " + in_quotes(step.name) +
            ": step names must be unique in a scenario");
    }

    if (auto v = field(object, "method")) {
      step.method = string_at("method", *v, "an HTTP method such as \"GET\" or \"POST\"");
      if (!step.method.empty() &&
          std::find(kMethods.begin(), kMethods.end(), step.method) == kMethods.end()) {
        Scope s(*this, "method");
        error("unsupported method " + in_quotes(step.method) + "; use one of " + join(kMethods));
      }
    }
    if (auto v = field(object, "path")) {
      step.path = string_at("path", *v, "a string");
      Scope s(*this, "path");
      if (!step.path.empty() && step.path[0] != '/')
        error("\"path\" must start with '/', e.g. \"/v1/rest/query\"; the target's origin comes "
              "from --target or the embedded endpoint");
      check_variables(step.path);
    } else {
      error("missing field \"path\": the request path and query, e.g. \"/v1/rest/ping\"");
    }
    if (auto v = field(object, "headers")) parse_request_headers(*v, step);
    parse_body(object, step);
    parse_body_lines(object, step);
    if (auto v = field(object, "gzip")) {
      Scope s(*this, "gzip");
      if (v->get_bool().get(step.gzip))
        error("\"gzip\" must be true or false");
      else if (step.gzip && !step.body)
        error("\"gzip\": true needs a \"body\" or \"bodyFile\" to compress");
    }
    if (auto v = field(object, "streamForMs")) {
      Scope s(*this, "streamForMs");
      int64_t ms = 0;
      if (v->get_int64().get(ms) || ms <= 0 || ms > 600000)
        error("\"streamForMs\" must be an integer of milliseconds between 1 and 600000");
      else
        step.stream_for = std::chrono::milliseconds(ms);
    }
    if (auto v = field(object, "http")) step.http2 = parse_http(*v);
    if (!step.body_lines.empty() && !step.http2.value_or(scenario_.http2) && !options_.http2) {
      Scope s(*this, field(object, "bodyLines") ? "bodyLines" : "bodyLinesFile");
      error("a streamed body (one DATA frame a line) needs HTTP/2: add \"http\": \"2\" to the "
            "step or the scenario, or run check --http2");
    }
    if (auto v = field(object, "expect")) parse_expect(*v, step);
    if (auto v = field(object, "capture")) parse_captures(*v, step);
    scenario_.steps.push_back(std::move(step));
  }

  // "http": "2" or "1.1"; true for HTTP/2.
  bool parse_http(element e) {
    Scope s(*this, "http");
    std::string_view v;
    if (e.get_string().get(v) || (v != "2" && v != "1.1")) {
      error("\"http\" is \"2\" (HTTP/2: h2c with prior knowledge on http://, ALPN h2 on "
            "https://) or \"1.1\"");
      return false;
    }
    return v == "2";
  }

  void parse_body_lines(simdjson::dom::object object, Step& step) {
    auto lines = field(object, "bodyLines");
    auto file = field(object, "bodyLinesFile");
    if ((lines || file) && (field(object, "body") || field(object, "bodyFile"))) {
      Scope s(*this, lines ? "bodyLines" : "bodyLinesFile");
      error("a step has either \"body\"/\"bodyFile\" or \"bodyLines\"/\"bodyLinesFile\", "
            "not both");
      return;
    }
    if (lines && file) {
      Scope s(*this, "bodyLinesFile");
      error("a step has either \"bodyLines\" or \"bodyLinesFile\", not both");
      return;
    }
    if (lines) {
      Scope s(*this, "bodyLines");
      simdjson::dom::array array;
      if (lines->get_array().get(array) || array.size() == 0) {
        error("\"bodyLines\" must be a non-empty array: each element (a JSON value, or a string "
              "sent as it is) is one line, sent as one HTTP/2 DATA frame");
        return;
      }
      std::size_t i = 0;
      for (auto item : array) {
        Scope si(*this, i++);
        Step::BodyLine line;
        std::string_view text;
        if (!item.get_string().get(text)) {
          line.text = std::string(text);
        } else {
          line.text = json::compact(item);
          line.json = true;
        }
        if (line.text.find('\n') != std::string::npos) {
          error("a line of \"bodyLines\" must not contain a line break: write one element per "
                "line");
          continue;
        }
        check_variables(line.text);
        step.body_lines.push_back(std::move(line));
      }
    }
    if (file) {
      auto content = read_body_file("bodyLinesFile", *file);
      if (!content) return;
      std::string_view rest = *content;
      while (!rest.empty()) { // sent verbatim, one line a frame; a last line end is optional
        const auto nl = rest.find('\n');
        step.body_lines.push_back({std::string(rest.substr(0, nl)), false});
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
      }
      if (step.body_lines.empty()) {
        Scope s(*this, "bodyLinesFile");
        error("bodyLinesFile is empty: it needs at least one line");
      }
    }
  }

  void parse_request_headers(element e, Step& step) {
    Scope s(*this, "headers");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("\"headers\" must be an object of \"Header-Name\": \"value\" pairs");
      return;
    }
    for (auto member : object) {
      Scope sk(*this, member.key);
      std::string_view value;
      if (member.value.get_string().get(value)) {
        error("header " + in_quotes(member.key) + " must have a string value");
        continue;
      }
      check_variables(value);
      step.headers.emplace_back(std::string(member.key), std::string(value));
    }
  }

  void parse_body(simdjson::dom::object object, Step& step) {
    auto body = field(object, "body");
    auto body_file = field(object, "bodyFile");
    if (body && body_file) {
      Scope s(*this, "bodyFile");
      error("a step has either \"body\" or \"bodyFile\", not both");
      return;
    }
    if (body) {
      Scope s(*this, "body");
      std::string_view text;
      if (!body->get_string().get(text)) {
        step.body = std::string(text);
      } else {
        step.body = json::compact(*body);
        step.body_is_json = true;
      }
      check_variables(*step.body);
    }
    if (body_file) {
      if (auto content = read_body_file("bodyFile", *body_file))
        step.body = std::move(*content); // sent verbatim: CSV and JSON lines may hold "${"
    }
  }

  // A file named by `key` (relative to the scenario, inside the roots), within the scenario's
  // budget for body files; nullopt after reporting what is wrong.
  std::optional<std::string> read_body_file(const char* key, element e) {
    std::string name = string_at(key, e, "a path relative to the scenario file");
    if (name.empty()) return std::nullopt;
    Scope s(*this, key);
    auto path = confined(dir_.string(), name, roots_);
    if (!path) {
      error(std::string(key) + " " + path.error().message);
      return std::nullopt;
    }
    std::size_t budget = kMaxBodyFilesPerScenario - body_file_bytes_;
    auto content = file::read_regular(*path, std::min(kMaxBodyFile, budget));
    if (!content) {
      error("cannot read " + std::string(key) + " " + in_quotes(name) +
            " (relative to the scenario file): " + content.error().message +
            (content.error().kind == ErrorKind::limit && budget < kMaxBodyFile
                 ? " (the body files of one scenario may hold " +
                       std::to_string(kMaxBodyFilesPerScenario) + " bytes in all)"
                 : ""));
      return std::nullopt;
    }
    body_file_bytes_ += content->size();
    scenario_.data_files.push_back(resolved(*path));
    return std::move(*content);
  }

  void parse_expect(element e, Step& step) {
    Scope s(*this, "expect");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("\"expect\" must be an object, e.g. {\"status\": 200, \"golden\": \"...\"}");
      return;
    }
    check_fields(object, kExpectFields, "\"expect\"");
    if (auto v = field(object, "status")) {
      Scope ss(*this, "status");
      int64_t status = 0;
      if (v->get_int64().get(status) || status < 100 || status > 599)
        error("\"status\" must be an HTTP status code between 100 and 599, e.g. 200");
      else
        step.expect_status = static_cast<int>(status);
    }
    if (auto v = field(object, "headers")) parse_expected_headers(*v, step);
    if (auto v = field(object, "protocol")) {
      std::string name = string_at("protocol", *v, "a protocol name");
      Scope ss(*this, "protocol");
      const auto& kinds = protocol::kind_names();
      auto it = std::find_if(kinds.begin(), kinds.end(),
                             [&](const auto& k) { return k.in_scenarios && k.name == name; });
      if (it != kinds.end()) {
        step.kind = it->kind;
      } else if (!name.empty()) {
        std::vector<std::string_view> names = protocol::scenario_kind_names();
        std::string hint = closest_name(name, names);
        error("unknown protocol " + in_quotes(name) +
              (hint.empty() ? "; use one of " + join(names)
                            : "; did you mean " + in_quotes(hint) + "?"));
      }
    }
    if (auto v = field(object, "golden")) {
      std::string name = string_at("golden", *v, "a path relative to the scenario file");
      Scope sg(*this, "golden");
      if (!name.empty()) {
        std::error_code ec;
        auto path = confined(dir_.string(), name, roots_);
        if (!path)
          error("golden " + path.error().message);
        else if (fs::exists(*path, ec) && !fs::is_regular_file(*path, ec))
          error("golden " + in_quotes(name) + " exists and is not a regular file");
        else {
          step.golden = *path;
          scenario_.data_files.push_back(resolved(step.golden));
        }
      }
    }
    if (auto v = field(object, "rules")) parse_rules(*v, step.rules);
  }

  void parse_expected_headers(element e, Step& step) {
    Scope s(*this, "headers");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("expected \"headers\" must be an object: \"Name\": \"exact value\" or "
            "\"Name\": {\"present\": true|false, \"equals\": \"...\", \"regex\": \"...\"}");
      return;
    }
    for (auto member : object) {
      Scope sk(*this, member.key);
      HeaderExpectation h;
      h.name = std::string(member.key);
      std::string_view exact;
      simdjson::dom::object spec;
      if (!member.value.get_string().get(exact)) {
        check_variables(exact);
        h.equals = std::string(exact);
      } else if (!member.value.get_object().get(spec)) {
        check_fields(spec, kHeaderFields, "a header expectation");
        if (auto p = field(spec, "present")) {
          Scope sp(*this, "present");
          if (p->get_bool().get(h.present)) error("\"present\" must be true or false");
        }
        if (auto q = field(spec, "equals")) {
          h.equals = string_at("equals", *q, "a string");
          Scope sq(*this, "equals");
          check_variables(*h.equals);
        }
        if (auto r = field(spec, "regex")) {
          std::string pattern = string_at("regex", *r, "a string");
          Scope sr(*this, "regex");
          if (auto compiled = compile_regex(pattern); compiled)
            h.regex = pattern;
          else
            error("invalid regular expression " + in_quotes(pattern) + ": " +
                  compiled.error().message + "; the syntax is ECMAScript");
        }
        if (!h.present && (h.equals || h.regex))
          error("\"present\": false cannot be combined with \"equals\" or \"regex\"");
      } else {
        error("header expectation " + in_quotes(member.key) +
              " must be a string (exact value) or an object {\"present\"|\"equals\"|\"regex\"}");
        continue;
      }
      step.expect_headers.push_back(std::move(h));
    }
  }

  std::vector<std::string> string_list(std::string_view key, element e) {
    Scope s(*this, key);
    std::vector<std::string> out;
    simdjson::dom::array array;
    if (e.get_array().get(array)) {
      error(in_quotes(key) + " must be an array of JSON paths, e.g. [\"$..Timestamp\"]");
      return out;
    }
    std::size_t i = 0;
    for (element item : array) {
      Scope si(*this, i++);
      std::string_view v;
      if (item.get_string().get(v) || v.empty() || v[0] != '$')
        error("a JSON path is a string starting with '$', e.g. \"$[0].Rows[*][2]\"");
      else
        out.emplace_back(v);
    }
    return out;
  }

  void parse_rules(element e, compare::Rules& rules) {
    Scope s(*this, "rules");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("\"rules\" must be an object with \"ignore\", \"unordered\", \"tolerance\", "
            "\"matchers\" or \"protocolDefaults\"");
      return;
    }
    check_fields(object, kRuleFields, "\"rules\"");
    if (auto v = field(object, "ignore")) rules.ignore = string_list("ignore", *v);
    if (auto v = field(object, "unordered")) rules.unordered = string_list("unordered", *v);
    if (auto v = field(object, "tolerance")) {
      Scope st(*this, "tolerance");
      double t = 0;
      if (v->get_double().get(t) || t < 0)
        error("\"tolerance\" must be a non-negative number: the absolute difference allowed "
              "between expected and actual numbers");
      else
        rules.numeric_tolerance = t;
    }
    if (auto v = field(object, "protocolDefaults")) {
      Scope sp(*this, "protocolDefaults");
      if (v->get_bool().get(rules.protocol_defaults))
        error("\"protocolDefaults\" must be true or false");
    }
    if (auto v = field(object, "matchers")) {
      Scope sm(*this, "matchers");
      simdjson::dom::object matchers;
      if (v->get_object().get(matchers)) {
        error("\"matchers\" must be an object of \"$.json.path\": \"any-guid\" pairs");
        return;
      }
      const auto& names = compare::matcher_names();
      for (auto member : matchers) {
        Scope sk(*this, member.key);
        std::string_view name;
        if (member.key.empty() || member.key[0] != '$') {
          error("matcher key " + in_quotes(member.key) + " must be a JSON path starting with '$'");
          continue;
        }
        if (member.value.get_string().get(name)) {
          error("a matcher is a string, one of " + join(names));
          continue;
        }
        auto matcher = compare::parse_matcher(name);
        if (!matcher) {
          std::string hint = closest_name(name, names);
          error("unknown matcher " + in_quotes(name) +
                (hint.empty() ? "; use one of " + join(names)
                              : "; did you mean " + in_quotes(hint) + "?"));
          continue;
        }
        rules.matchers.emplace_back(std::string(member.key), *matcher);
      }
    }
  }

  void parse_captures(element e, Step& step) {
    Scope s(*this, "capture");
    simdjson::dom::object object;
    if (e.get_object().get(object)) {
      error("\"capture\" must be an object of \"variable\": \"$.json.path\" pairs, e.g. "
            "{\"commandId\": \"$[0].commandId\"}");
      return;
    }
    for (auto member : object) {
      Scope sk(*this, member.key);
      std::string name(member.key);
      auto syntax = referenced_variables("${" + name + "}");
      if (!syntax || name == "uuid" || name == "target") {
        error("cannot capture into " + in_quotes(name) +
              ": a variable name uses letters, digits, '_', '.', '-' and is not uuid or target");
        continue;
      }
      std::string_view path;
      if (member.value.get_string().get(path)) {
        error("a capture is a JSON path string such as \"$[0].commandId\"");
        continue;
      }
      auto parsed = parse_json_path(path);
      if (!parsed) {
        error(parsed.error().message);
        continue;
      }
      step.captures.push_back({name, std::string(path)});
      defined_.insert(name);
    }
  }

  std::string_view text_;
  std::string file_;
  fs::path dir_;
  const ParseOptions& options_;
  std::vector<json::PathStep> path_;
  std::vector<std::string> roots_; // resolved
  std::size_t body_file_bytes_ = 0;
  std::optional<SourceMap> map_; // built once the text is known to be JSON
  std::vector<std::string> errors_;
  Scenario scenario_;
  std::set<std::string, std::less<>> defined_;
  std::set<std::string> step_names_;
  std::map<std::string, std::string> captured_later_; // variable → step that captures it
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t subst = prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                 std::tolower(static_cast<unsigned char>(b[j - 1]))
                                             ? 0
                                             : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

} // namespace

std::string closest_name(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

Result<Scenario> parse_scenario(std::string_view text, const std::string& file,
                                const ParseOptions& options) {
  Parser parser(text, file, options);
  return parser.run();
}

Result<Scenario> load_scenario(const std::string& file, const ParseOptions& options) {
  std::vector<std::string> roots;
  for (const auto& r : options.roots.empty() ? std::vector{default_root(file)} : options.roots)
    roots.push_back(resolved(r));
  if (!within_roots(file, roots))
    return make_error(file + ": resolves to " + resolved(file) +
                          ", outside the folder tree this run may use; pass --root DIR",
                      ErrorKind::scenario);
  auto text = file::read_regular(file, kMaxScenarioFile);
  if (!text) return make_error(text.error().message, ErrorKind::scenario);
  return parse_scenario(*text, file, options);
}

namespace {

struct FoundFile {
  std::string path;
  bool in_folder = false; // found by searching a folder, not named by the user
};

Result<std::vector<FoundFile>> find_files(const std::vector<std::string>& paths) {
  std::vector<FoundFile> files;
  for (const auto& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status))
      return make_error(p + ": no such file or folder; pass scenario files or folders "
                            "(default: scenarios/)");
    if (!fs::is_directory(status)) {
      files.push_back({p, false});
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const auto& path = it->path();
      if (path.extension() == ".json" && path.filename() != "schema.json")
        found.push_back(path.string());
    }
    if (ec) return make_error(p + ": cannot list the folder: " + ec.message());
    std::sort(found.begin(), found.end());
    for (auto& f : found)
      files.push_back({std::move(f), true});
  }
  return files;
}

} // namespace

Result<std::vector<std::string>> find_scenario_files(const std::vector<std::string>& paths) {
  auto found = find_files(paths);
  if (!found) return found.error();
  std::vector<std::string> files;
  for (auto& f : *found)
    files.push_back(std::move(f.path));
  return files;
}

Result<std::vector<LoadedFile>> load_scenario_files(const std::vector<std::string>& paths,
                                                    const ParseOptions& options) {
  auto found = find_files(paths);
  if (!found) return found.error();
  std::vector<LoadedFile> loaded;
  std::unordered_set<std::string> data_files;
  for (const auto& f : *found) {
    loaded.push_back({f.path, load_scenario(f.path, options)});
    if (loaded.back().scenario)
      data_files.insert(loaded.back().scenario->data_files.begin(),
                        loaded.back().scenario->data_files.end());
  }
  // A golden or body file found in a searched folder belongs to the scenario that reads it.
  std::vector<LoadedFile> scenarios;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    if ((*found)[i].in_folder && data_files.count(resolved(loaded[i].file))) continue;
    scenarios.push_back(std::move(loaded[i]));
  }
  return scenarios;
}

} // namespace konform::scenario
