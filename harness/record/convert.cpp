#include "record/convert.h"

#include "compare/compare.h"
#include "core/gzip.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "protocol/validate.h"
#include "record/correlate.h"
#include "record/secrets.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace konform::record {

namespace fs = std::filesystem;
using protocol::Kind;

std::string default_golden_dir(const std::string& out) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + ".golden")).string();
}

std::string ksql_scenario_path(const std::string& out) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + ".ksql.json")).string();
}

namespace {

// Responses bigger than this are not searched for values to correlate (a query result, not an id).
constexpr std::size_t kCorrelateLimit = std::size_t(1) << 20;

bool dropped_header(std::string_view name) {
  static constexpr std::string_view names[] = {"connection",
                                               "keep-alive",
                                               "proxy-connection",
                                               "te",
                                               "trailer",
                                               "transfer-encoding",
                                               "upgrade",
                                               "host",
                                               "content-length",
                                               "content-encoding",
                                               "x-ms-client-request-id",
                                               "expect"};
  if (!name.empty() && name[0] == ':') return true; // HTTP/2 pseudo-headers in a HAR
  for (auto n : names)
    if (text::iequals(name, n)) return true;
  return false;
}

// Kinds a scenario file can name (scenario/parser.cpp's list).
Kind scenario_kind(Kind k) {
  switch (k) {
  case Kind::kusto_v1:
  case Kind::kusto_v2:
  case Kind::kusto_error:
  case Kind::kusto_ingest:
  case Kind::ksql_entities:
  case Kind::ksql_error:
  case Kind::ksql_stream:
  case Kind::text:
    return k;
  default:
    return Kind::json;
  }
}

Kind detect(std::string_view path, int status, std::string_view body) {
  if (text::trim(body).empty()) return Kind::text;
  Kind k = scenario_kind(protocol::detect_kind(body).value_or(Kind::text));
  path = path.substr(0, path.find('?'));
  bool ok = status >= 200 && status < 300;
  if (ok && (path == "/query" || path == "/query-stream") && k != Kind::text)
    return Kind::ksql_stream;
  if (ok && (path.rfind("/status/", 0) == 0 || path == "/info" || path == "/healthcheck" ||
             path == "/clusterStatus"))
    return k == Kind::text ? Kind::text : Kind::json;
  if (ok && path.rfind("/v1/rest/ingest/", 0) == 0 && k == Kind::kusto_v1)
    return Kind::kusto_ingest;
  return k;
}

std::string slug(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
    if (out.size() >= max) break;
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out;
}

std::string padded(std::size_t n, std::size_t width) {
  std::string s = std::to_string(n);
  return std::string(s.size() < width ? width - s.size() : 0, '0') + s;
}

// What the statement of a Kusto or ksqlDB request says, for the step's name.
std::string statement_of(simdjson::dom::element body) {
  for (auto key : {"csl", "ksql", "sql"}) {
    std::string_view v;
    if (body.is_object() && !body[key].get_string().get(v)) {
      std::string one;
      for (char c : v) {
        bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
        if (space && (one.empty() || one.back() == ' ')) continue;
        one += space ? ' ' : c;
      }
      while (!one.empty() && one.back() == ' ')
        one.pop_back();
      if (one.size() > 60) one = one.substr(0, 57) + "...";
      return one;
    }
  }
  return {};
}

std::string extension_for(std::string_view path, const http::Headers& headers) {
  auto q = path.find('?');
  if (q != std::string_view::npos) {
    for (auto part : text::split(path.substr(q + 1), '&')) {
      if (text::istarts_with(part, "streamFormat=")) {
        std::string f = slug(part.substr(13), 16);
        if (!f.empty()) return f;
      }
    }
  }
  std::string type = text::to_lower(http::find_header(headers, "Content-Type").value_or(""));
  if (type.find("json") != std::string::npos) return "json";
  if (type.find("csv") != std::string::npos) return "csv";
  if (type.find("text/") != std::string::npos) return "txt";
  return "bin";
}

std::string relative(const std::string& file, const std::string& from_dir) {
  fs::path f = fs::absolute(file).lexically_normal();
  fs::path d = fs::absolute(from_dir.empty() ? "." : from_dir).lexically_normal();
  return f.lexically_relative(d).generic_string();
}

struct Draft {
  std::size_t number = 0; // 1-based, across all exchanges
  Service service = Service::kusto;
  std::string name;
  std::string method;
  std::string path; // scrubbed
  http::Headers headers;
  std::optional<json::Document> body; // a JSON body (scrubbed)
  std::string body_file;              // or a body file's path (staged already)
  bool gzip = false;
  int status = 0;
  Kind kind = Kind::text;
  std::string golden;                     // staged golden's path, "" = none
  std::optional<json::Document> response; // for correlation
  std::chrono::milliseconds stream_for{0};
};

class Converter {
public:
  Converter(const ConvertOptions& options, Staging& staging)
      : options_(options), staging_(staging) {
    out_dir_ = fs::path(options.out).parent_path().string();
    golden_dir_ = options.golden_dir.empty() ? default_golden_dir(options.out) : options.golden_dir;
    fs::path p(options.out);
    bodies_dir_ = (p.parent_path() / (p.stem().string() + ".bodies")).string();
    name_ = options.name.empty() ? p.stem().string() : options.name;
  }

  Result<Summary> run(const std::vector<Exchange>& exchanges) {
    for (const auto& e : exchanges)
      scrubber_.learn(e.request_headers);
    width_ =
        std::to_string(exchanges.size()).size() < 2 ? 2 : std::to_string(exchanges.size()).size();
    std::vector<Draft> drafts;
    drafts.reserve(exchanges.size());
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
      auto d = draft(exchanges[i], i + 1);
      if (!d) return d.error();
      drafts.push_back(std::move(*d));
    }
    std::vector<Draft*> kusto, ksql;
    for (auto& d : drafts)
      (d.service == Service::kusto ? kusto : ksql).push_back(&d);
    // One service: one scenario at --out. Both: Kusto at --out, ksqlDB beside it.
    if (!kusto.empty() || ksql.empty()) {
      auto st = scenario(kusto, "kusto", options_.out, name_);
      if (!st) return st.error();
    }
    if (!ksql.empty()) {
      std::string path = kusto.empty() ? options_.out : ksql_scenario_path(options_.out);
      auto st = scenario(ksql, "ksql", path, kusto.empty() ? name_ : name_ + "-ksql");
      if (!st) return st.error();
    }
    summary_.redactions = scrubber_.notes();
    return std::move(summary_);
  }

private:
  Result<Draft> draft(const Exchange& e, std::size_t number) {
    Draft d;
    d.number = number;
    d.service = service_of(e.target);
    d.method = e.method;
    scrubber_.at_exchange(number);
    std::string label = "exchange " + std::to_string(number) + " (" + e.method + " " +
                        std::string(e.target.substr(0, e.target.find('?'))) + ")";
    d.path = scrubber_.scrub(e.target, "path");
    if (d.path.empty() || d.path[0] != '/') d.path = "/" + d.path;
    bool gzipped = false;
    for (const auto& [name, value] : e.request_headers) {
      if (Scrubber::secret_header(name)) {
        scrubber_.note("request header " + name, "dropped");
        continue;
      }
      if (text::iequals(name, "Content-Encoding") && text::iequals(text::trim(value), "gzip"))
        gzipped = true;
      if (dropped_header(name) &&
          !(text::iequals(name, "Content-Encoding") && !text::iequals(text::trim(value), "gzip")))
        continue;
      d.headers.emplace_back(name, scrubber_.scrub(value, "request header " + name));
    }

    auto body = load(e.request_body, options_.max_body);
    if (!body) return make_error(label + " request body: " + body.error().message);
    if (gzipped && !body->empty()) {
      auto plain = gzip::decompress(*body, gzip::Format::gzip, options_.max_body);
      if (plain) {
        *body = std::move(*plain);
        d.gzip = true;
      } else {
        summary_.warnings.push_back(label +
                                    ": the request body says gzip but does not decompress (" +
                                    plain.error().message + "); stored as sent");
        d.headers.emplace_back("Content-Encoding", "gzip");
      }
    }
    std::string statement;
    if (!body->empty()) {
      std::string clean = scrubber_.scrub(*body, "request body");
      body->clear();
      bool ingest = d.path.rfind("/v1/rest/ingest/", 0) == 0;
      std::optional<json::Document> doc;
      if (!ingest) {
        auto parsed = json::Document::parse(clean);
        if (parsed && (parsed->root().is_object() || parsed->root().is_array()))
          doc = std::move(*parsed);
      }
      if (doc) {
        statement = statement_of(doc->root());
        d.body = std::move(doc);
      } else {
        d.body_file = (fs::path(bodies_dir_) /
                       (padded(number, width_) + "." + extension_for(d.path, e.request_headers)))
                          .string();
        auto st = staging_.stage(d.body_file, clean);
        if (!st) return st.error();
        ++summary_.body_files;
      }
    }
    d.name = padded(number, width_) + " " + e.method + " " +
             std::string(d.path.substr(0, d.path.find('?')));
    if (!statement.empty()) d.name += ": " + statement;

    d.status = e.status;
    auto response = load(e.response_body, options_.max_body);
    if (!response) return make_error(label + " response body: " + response.error().message);
    std::string decoded = std::move(*response);
    if (!e.response_decoded && http::find_header(e.response_headers, "Content-Encoding")) {
      http::Response r;
      r.status = e.status;
      r.headers = e.response_headers;
      r.body = std::move(decoded);
      auto plain = http::decoded_body(r, options_.max_body);
      if (!plain.error.empty()) return make_error(label + " response body: " + plain.error);
      decoded = std::move(plain.text);
    }
    decoded = scrubber_.scrub(decoded, "response body");
    d.kind = detect(d.path, d.status, decoded);
    if (d.kind == Kind::ksql_stream && e.truncated)
      d.stream_for = std::clamp(e.streamed, std::chrono::milliseconds(1000),
                                std::chrono::milliseconds(600000));
    if (!text::trim(decoded).empty()) {
      auto golden = compare::canonical_golden(decoded, d.kind);
      if (!golden) {
        summary_.warnings.push_back(label + ": the response is not valid " +
                                    std::string(protocol::to_string(d.kind)) + " (" +
                                    golden.error().message + "); its golden is kept as text");
        d.kind = Kind::text;
        golden = compare::canonical_golden(decoded, Kind::text);
      }
      if (golden) {
        std::string ext = d.kind == Kind::text ? ".txt" : ".json";
        d.golden = (fs::path(golden_dir_) /
                    (padded(number, width_) + "-" +
                     slug(e.method + " " + d.path.substr(0, d.path.find('?')), 40) + ext))
                       .string();
        auto st = staging_.stage(d.golden, *golden);
        if (!st) return st.error();
        ++summary_.goldens;
      }
    }
    if (options_.correlate && d.kind != Kind::ksql_stream && decoded.size() <= kCorrelateLimit) {
      auto parsed = json::Document::parse(decoded);
      if (parsed) d.response = std::move(*parsed);
    }
    return d;
  }

  Status scenario(const std::vector<Draft*>& drafts, std::string_view endpoint,
                  const std::string& path, const std::string& name) {
    Correlation c;
    if (options_.correlate) {
      std::vector<RequestView> requests;
      std::vector<std::optional<simdjson::dom::element>> responses;
      std::vector<std::string> names;
      for (const Draft* d : drafts) {
        RequestView r{d->path, {}, std::nullopt};
        for (const auto& h : d->headers)
          r.header_values.push_back(h.second);
        if (d->body) r.body = d->body->root();
        requests.push_back(std::move(r));
        responses.push_back(d->response ? std::optional(d->response->root()) : std::nullopt);
        names.push_back(d->name);
      }
      c = correlate(requests, responses, names);
      summary_.correlations.insert(summary_.correlations.end(), c.notes.begin(), c.notes.end());
    } else {
      c.captures.resize(drafts.size());
      c.uses.resize(drafts.size());
    }

    std::string dir = fs::path(path).parent_path().string();
    std::string out = "{\n  \"name\": ";
    json::append_quoted(out, name);
    out += ",\n  \"description\": ";
    json::append_quoted(out, "Recorded by konform record: " + std::to_string(drafts.size()) +
                                 " exchange" + (drafts.size() == 1 ? "" : "s") + ".");
    out += ",\n  \"endpoint\": \"" + std::string(endpoint) + "\",\n  \"steps\": [";
    for (std::size_t i = 0; i < drafts.size(); ++i) {
      const Draft& d = *drafts[i];
      const auto& uses = c.uses[i];
      out += i == 0 ? "\n    {\n" : ",\n    {\n";
      auto field = [&](std::string_view key) {
        out += "      \"";
        out += key;
        out += "\": ";
      };
      field("name");
      json::append_quoted(out, d.name);
      out += ",\n";
      field("method");
      json::append_quoted(out, d.method);
      out += ",\n";
      field("path");
      json::append_quoted(out, substitute(d.path, uses));
      if (!d.headers.empty()) {
        out += ",\n";
        field("headers");
        out += "{";
        for (std::size_t h = 0; h < d.headers.size(); ++h) {
          if (h) out += ", ";
          json::append_quoted(out, d.headers[h].first);
          out += ": ";
          json::append_quoted(out, substitute(d.headers[h].second, uses));
        }
        out += "}";
      }
      if (d.body) {
        out += ",\n";
        field("body");
        out += substitute_json(d.body->root(), uses);
      } else if (!d.body_file.empty()) {
        out += ",\n";
        field("bodyFile");
        json::append_quoted(out, relative(d.body_file, dir));
      }
      if (d.gzip) out += ",\n      \"gzip\": true";
      if (d.stream_for.count() > 0)
        out += ",\n      \"streamForMs\": " + std::to_string(d.stream_for.count());
      out += ",\n";
      field("expect");
      out += "{\"status\": " + std::to_string(d.status) + ", \"protocol\": \"" +
             std::string(protocol::to_string(d.kind)) + "\"";
      if (!d.golden.empty()) {
        out += ", \"golden\": ";
        json::append_quoted(out, relative(d.golden, dir));
      }
      out += "}";
      if (!c.captures[i].empty()) {
        out += ",\n";
        field("capture");
        out += "{";
        for (std::size_t k = 0; k < c.captures[i].size(); ++k) {
          if (k) out += ", ";
          json::append_quoted(out, c.captures[i][k].variable);
          out += ": ";
          json::append_quoted(out, c.captures[i][k].path);
        }
        out += "}";
      }
      out += "\n    }";
    }
    out += "\n  ]\n}\n";
    summary_.steps += drafts.size();
    // The scenario names the body files and goldens: it goes into place after them.
    auto st = staging_.stage(path, out);
    if (!st) return st;
    summary_.scenarios.push_back(path);
    return Ok{};
  }

  const ConvertOptions& options_;
  Staging& staging_;
  Scrubber scrubber_;
  Summary summary_;
  std::string out_dir_, golden_dir_, bodies_dir_, name_;
  std::size_t width_ = 2;
};

} // namespace

Result<Summary> convert(const std::vector<Exchange>& exchanges, const ConvertOptions& options,
                        Staging& staging) {
  if (exchanges.empty())
    return make_error("nothing was recorded: no exchange reached the upstream, so no scenario "
                      "was written");
  Converter converter(options, staging);
  return converter.run(exchanges);
}

} // namespace konform::record
