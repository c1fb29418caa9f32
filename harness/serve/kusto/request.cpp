#include "serve/kusto/request.h"

#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/sas.h"

#include <algorithm>
#include <cctype>

namespace konform::serve::kusto {
namespace {

using cluster::bad_request;
using cluster::Failure;

std::optional<bool> as_bool(simdjson::dom::element e) {
  if (auto b = e.get_bool(); !b.error()) return b.value();
  if (auto s = e.get_string(); !s.error()) {
    if (text::iequals(s.value(), "true")) return true;
    if (text::iequals(s.value(), "false")) return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> as_int(simdjson::dom::element e) {
  if (auto i = e.get_int64(); !i.error()) return i.value();
  if (auto u = e.get_uint64(); !u.error())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(u.value(), INT64_MAX));
  if (auto s = e.get_string(); !s.error()) return text::parse_int(text::trim(s.value()));
  return std::nullopt;
}

Result<Ok, Failure> apply_options(simdjson::dom::object options, QueryRequest& q) {
  for (auto member : options) {
    // Named copies, not a structured binding: clang 14 (the fuzz preset) cannot capture those.
    std::string_view key = member.key;
    simdjson::dom::element value = member.value;
    auto bool_option = [&](bool& target) -> Result<Ok, Failure> {
      auto b = as_bool(value);
      if (!b)
        return bad_request("properties.Options." + std::string(key) +
                           ": expected true or false, got " + json::compact(value));
      target = *b;
      return Ok{};
    };
    Result<Ok, Failure> applied = Ok{};
    if (text::iequals(key, "results_progressive_enabled"))
      applied = bool_option(q.v2.progressive);
    else if (text::iequals(key, "results_v2_fragment_primary_tables"))
      applied = bool_option(q.v2.fragmented);
    else if (text::iequals(key, "results_v2_newlines_between_frames"))
      applied = bool_option(q.v2.newlines);
    else if (text::iequals(key, "deferpartialqueryfailures"))
      applied = bool_option(q.v2.defer_partial);
    else if (text::iequals(key, "results_error_reporting_placement")) {
      auto s = value.get_string();
      std::string v = s.error() ? std::string() : text::to_lower(s.value());
      if (v == "in_data")
        q.v2.placement = ErrorPlacement::in_data;
      else if (v == "end_of_table")
        q.v2.placement = ErrorPlacement::end_of_table;
      else if (v == "end_of_dataset")
        q.v2.placement = ErrorPlacement::end_of_dataset;
      else
        applied = bad_request("properties.Options.results_error_reporting_placement: expected "
                              "\"in_data\", \"end_of_table\" or \"end_of_dataset\", got " +
                              json::compact(value));
    } else if (text::iequals(key, "truncationmaxrecords")) {
      auto n = as_int(value);
      if (!n || *n < 0)
        applied = bad_request("properties.Options.truncationmaxrecords: expected a non-negative "
                              "integer, got " +
                              json::compact(value));
      else
        q.truncation_max_records = static_cast<std::size_t>(*n);
    } else if (text::iequals(key, "notruncation")) {
      bool off = false;
      applied = bool_option(off);
      if (off) q.truncation_max_records = SIZE_MAX;
    } else if (text::iequals(key, "servertimeout")) {
      std::optional<std::int64_t> ticks;
      if (auto s = value.get_string(); !s.error())
        ticks = cluster::parse_timespan(s.value());
      else if (auto n = as_int(value))
        ticks = *n * 10'000; // a number is milliseconds
      if (!ticks || *ticks <= 0)
        applied = bad_request("properties.Options.servertimeout: expected a positive timespan "
                              "such as \"00:04:00\" or \"50m\", got " +
                              json::compact(value));
      else
        q.servertimeout_ticks = *ticks;
    }
    if (!applied) return applied;
  }
  return Ok{};
}

Result<Ok, Failure> apply_properties(simdjson::dom::element props, QueryRequest& q) {
  if (props.is_null()) return Ok{};
  auto obj = props.get_object();
  if (obj.error())
    return bad_request("'properties' must be a JSON object or a string holding one, got " +
                       json::compact(props));
  if (auto options = obj.value()["Options"]; !options.error()) {
    auto o = options.get_object();
    if (o.error()) return bad_request("properties.Options must be an object");
    if (auto applied = apply_options(o.value(), q); !applied) return applied;
  }
  if (auto params = obj.value()["Parameters"]; !params.error()) {
    auto o = params.get_object();
    if (o.error()) return bad_request("properties.Parameters must be an object");
    for (auto [key, value] : o.value()) {
      auto s = value.get_string();
      q.parameters[std::string(key)] = s.error() ? json::compact(value) : std::string(s.value());
    }
  }
  return Ok{};
}

Result<Ok, Failure> apply_properties_text(std::string_view text, QueryRequest& q) {
  if (text::trim(text).empty()) return Ok{};
  auto doc = json::Document::parse(text, "properties");
  if (!doc) return bad_request("The 'properties' string is not valid JSON: " + doc.error().message);
  return apply_properties(doc->root(), q);
}

} // namespace

Result<QueryRequest, cluster::Failure> parse_query_request(const ServerRequest& req) {
  QueryRequest q;
  if (req.method == "GET") {
    if (auto db = req.query_param("db")) q.db = *db;
    auto csl = req.query_param("csl");
    if (!csl || text::trim(*csl).empty())
      return bad_request("The request has no query: send ?csl=<query>&db=<database> (or POST a "
                         "JSON body {\"db\":...,\"csl\":...})");
    q.csl = *csl;
    if (auto props = req.query_param("properties"))
      if (auto applied = apply_properties_text(*props, q); !applied) return applied.error();
    return q;
  }
  auto doc = json::Document::parse(req.body, "request body");
  if (!doc)
    return bad_request("The request body is not valid JSON: " + doc.error().message +
                       ". Send {\"db\":\"<database>\",\"csl\":\"<query>\"}");
  auto root = doc->root().get_object();
  if (root.error())
    return bad_request("The request body must be a JSON object {\"db\":...,\"csl\":...}");
  if (auto db = root.value()["db"]; !db.error() && !db.is_null()) {
    auto s = db.get_string();
    if (s.error()) return bad_request("'db' must be a string (the database name)");
    if (!s.value().empty()) q.db = std::string(s.value());
  }
  auto csl = root.value()["csl"].get_string();
  if (csl.error() || text::trim(csl.value()).empty())
    return bad_request("The request body has no 'csl' string: send {\"db\":\"<database>\","
                       "\"csl\":\"<query or command>\"}");
  q.csl = std::string(csl.value());
  if (auto props = root.value()["properties"]; !props.error()) {
    auto s = props.get_string();
    auto applied =
        !s.error() ? apply_properties_text(s.value(), q) : apply_properties(props.value(), q);
    if (!applied) return applied.error();
  }
  return q;
}

} // namespace konform::serve::kusto

namespace konform::serve::kusto {

std::string csl_for_log(std::string_view csl, std::size_t limit) {
  std::string out;
  out.reserve(std::min(csl.size(), limit * 2));
  std::size_t k = 0;
  while (k < csl.size() && out.size() <= limit) {
    char c = csl[k];
    if (c != '\'' && c != '"') {
      out += c;
      ++k;
      continue;
    }
    // A string literal: h'...' (obfuscated: the service hides it too), @'...' (verbatim) or '...'.
    std::size_t before = out.size();
    bool verbatim = before > 0 && out[before - 1] == '@';
    std::size_t h = verbatim ? before - 1 : before;
    bool hidden =
        h > 0 && (out[h - 1] == 'h' || out[h - 1] == 'H') &&
        (h == 1 || !(std::isalnum(static_cast<unsigned char>(out[h - 2])) || out[h - 2] == '_'));
    std::size_t end = k + 1;
    while (end < csl.size() && csl[end] != c)
      end += !verbatim && csl[end] == '\\' ? 2 : 1;
    std::string_view content = csl.substr(k + 1, std::min(end, csl.size()) - k - 1);
    out += c;
    if (hidden) {
      out += "***";
    } else if (content.find("://") != std::string_view::npos) {
      // A URL: keep the address, drop its SAS query or ;key / ;token suffix.
      auto cut = content.find_first_of("?;");
      out += content.substr(0, cut);
      if (cut != std::string_view::npos) out += std::string(1, content[cut]) + "REDACTED";
    } else {
      out += content;
    }
    if (end < csl.size()) out += c;
    k = end + 1;
  }
  out = sas::redact(out); // a bare SAS outside quotes
  if (out.size() > limit || k < csl.size()) {
    out.resize(std::min(out.size(), limit));
    out += "...";
  }
  return out;
}

} // namespace konform::serve::kusto
