// Kusto ingestion: streaming-ingest requests, queued-ingestion messages (the JSON put on the
// SecuredReadyForAggregation queue) and the failure/success notifications the DM posts back
// (kusto-ingest-client-rest.md; node 7.0.1 messages observed on Azurite).
#include "protocol/kusto_ingest.h"

#include "core/gzip.h"
#include "core/ids.h"
#include "core/text.h"
#include "http/url.h"
#include "json/document.h"
#include "protocol/json_syntax.h"
#include "protocol/validators.h"

#include <array>

namespace konform::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// streaming-ingest.md: CSV|TSV|SCsv|SOHsv|PSV|JSON|MultiJSON|Avro (matched case-insensitively,
// SDKs send "csv", "Csv", "multijson", "MultiJson").
constexpr std::array<std::string_view, 8> stream_formats{"csv", "tsv",  "scsv",      "sohsv",
                                                         "psv", "json", "multijson", "avro"};

bool is_uri(std::string_view s) {
  return (text::istarts_with(s, "https://") || text::istarts_with(s, "http://")) && s.size() > 8 &&
         s.find(' ') == std::string_view::npos;
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  for (auto pair : text::split(target.substr(q + 1), '&')) {
    auto eq = pair.find('=');
    auto key = text::url_decode(pair.substr(0, eq));
    if (key == name)
      return eq == std::string_view::npos ? std::string() : text::url_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

void need_string(object o, std::string_view key, Findings& out, std::string_view rule) {
  auto v = o[key];
  if (v.error() == simdjson::NO_SUCH_FIELD)
    out.violation(child_path("$", key), rule, std::string(key) + " is required");
  else if (!v.is_string() || std::string_view(v.get_string().value_unsafe()).empty())
    out.violation(child_path("$", key), rule, std::string(key) + " must be a non-empty string");
}

void optional_bool(object o, std::string_view key, Findings& out, std::string_view rule) {
  auto v = o[key];
  if (v.error() != simdjson::NO_SUCH_FIELD && !v.is_bool())
    out.violation(child_path("$", key), rule, std::string(key) + " must be true or false");
}

void small_int(object o, std::string_view key, std::int64_t max, Findings& out,
               std::string_view rule, std::string_view meaning) {
  auto v = o[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return;
  std::int64_t n = -1;
  if (v.get_int64().get(n) || n < 0 || n > max)
    out.violation(child_path("$", key), rule,
                  std::string(key) + " must be an integer 0.." + std::to_string(max) + " (" +
                      std::string(meaning) + ")");
}

} // namespace

std::vector<Finding> validate_ingest_request(const http::Request& request) {
  Findings out;
  if (!text::iequals(request.method, "POST"))
    out.violation("method", "kusto.ingest.request",
                  "streaming ingestion is POST /v1/rest/ingest/{database}/{table}");
  auto path = request.target.substr(0, request.target.find('?'));
  auto parts = text::split(path, '/');
  // "", "v1", "rest", "ingest", db, table
  if (parts.size() != 6 || parts[1] != "v1" || parts[2] != "rest" || parts[3] != "ingest" ||
      parts[4].empty() || parts[5].empty())
    out.violation("path", "kusto.ingest.request",
                  "the path must be /v1/rest/ingest/{database}/{table}");
  auto format = query_param(request.target, "streamFormat");
  std::string lower;
  if (!format || format->empty()) {
    out.violation("query.streamFormat", "kusto.ingest.stream-format",
                  "streamFormat is required (CSV, TSV, SCsv, SOHsv, PSV, JSON, MultiJSON, Avro)");
  } else {
    lower = text::to_lower(*format);
    bool known = false;
    for (auto f : stream_formats)
      known = known || f == lower;
    if (!known)
      out.violation("query.streamFormat", "kusto.ingest.stream-format",
                    "streamFormat \"" + *format +
                        "\" is not one of CSV, TSV, SCsv, SOHsv, PSV, JSON, MultiJSON, Avro");
  }
  auto mapping = query_param(request.target, "mappingName");
  if ((lower == "json" || lower == "multijson" || lower == "avro") &&
      (!mapping || mapping->empty()))
    out.violation("query.mappingName", "kusto.ingest.mapping",
                  "mappingName is required when streamFormat is " + *format);
  auto source_kind = query_param(request.target, "sourceKind");
  if (source_kind && text::iequals(*source_kind, "uri")) {
    auto doc = json::Document::parse(request.body);
    std::string_view uri;
    if (!doc || doc->root()["sourceUri"].get_string().get(uri) || !is_uri(uri))
      out.violation("body", "kusto.ingest.source-uri",
                    "with sourceKind=uri the body is {\"sourceUri\": \"https://...\"}");
    return out.take();
  }
  if (auto enc = http::find_header(request.headers, "content-encoding")) {
    if (text::iequals(text::trim(*enc), "gzip") && !gzip::looks_like_gzip(request.body))
      out.violation("header.Content-Encoding", "kusto.ingest.gzip",
                    "the body is labelled Content-Encoding: gzip but is not gzip data (node's SDK "
                    "does this for uncompressed ArrayBuffers); the server cannot decompress it");
  }
  return out.take();
}

void validate_kusto_ingest_message(std::string_view body, Findings& out) {
  body = strip_bom(body, "kusto.ingest", out);
  auto doc = parse_or_report(body, "kusto.ingest.json", out);
  if (!doc) return;
  object o;
  if (doc->root().get_object().get(o)) {
    out.violation("$", "kusto.ingest.message", "a queued-ingestion message is a JSON object");
    return;
  }
  const std::string_view rule = "kusto.ingest.message";
  std::string_view id, blob;
  if (o["Id"].get_string().get(id) || !ids::is_guid(id))
    out.violation("$.Id", rule, "Id must be a GUID string (the ingestion source id)");
  if (o["BlobPath"].get_string().get(blob))
    out.violation("$.BlobPath", rule, "BlobPath is required: the blob URI with its SAS");
  else if (!is_uri(blob))
    // The value is not echoed: it normally carries a SAS signature.
    out.violation("$.BlobPath", rule, "BlobPath must be an http(s) URI");
  need_string(o, "DatabaseName", out, rule);
  need_string(o, "TableName", out, rule);
  auto size = o["RawDataSize"];
  if (size.error() != simdjson::NO_SUCH_FIELD && !size.is_null() && !size.is_int64() &&
      !size.is_uint64())
    out.violation("$.RawDataSize", rule, "RawDataSize is a byte count or null");
  for (std::string_view key : {"RetainBlobOnSuccess", "FlushImmediately", "IgnoreSizeLimit"})
    optional_bool(o, key, out, rule);
  small_int(o, "ReportLevel", 2, out, "kusto.ingest.report-level",
            "0 failures only, 1 none, 2 all");
  small_int(o, "ReportMethod", 1, out, "kusto.ingest.report-method", "0 queue, 1 table");
  object props;
  if (o["AdditionalProperties"].get_object().get(props)) {
    out.violation("$.AdditionalProperties", "kusto.ingest.authorization-context",
                  "AdditionalProperties with authorizationContext is required");
    return;
  }
  std::string_view auth;
  if (props["authorizationContext"].get_string().get(auth) || auth.empty())
    out.violation("$.AdditionalProperties.authorizationContext",
                  "kusto.ingest.authorization-context",
                  "AdditionalProperties.authorizationContext (from `.get kusto identity token`) "
                  "is mandatory");
}

void validate_kusto_ingest_notification(std::string_view body, Findings& out) {
  body = strip_bom(body, "kusto.ingest", out);
  auto doc = parse_or_report(body, "kusto.ingest.json", out);
  if (!doc) return;
  object o;
  if (doc->root().get_object().get(o)) {
    out.violation("$", "kusto.ingest.notification", "a notification is a JSON object");
    return;
  }
  const std::string_view rule = "kusto.ingest.notification";
  bool failure = !o["FailedOn"].error();
  bool success = !o["SucceededOn"].error();
  if (failure == success) {
    out.violation("$", rule,
                  "a notification has FailedOn (failure queue) or SucceededOn (success queue)");
    return;
  }
  std::string_view op;
  if (o["OperationId"].get_string().get(op) || !ids::is_guid(op))
    out.violation("$.OperationId", rule, "OperationId must be a GUID string");
  for (std::string_view key : {"Database", "Table"})
    need_string(o, key, out, rule);
  std::string_view source;
  if (o["IngestionSourceId"].get_string().get(source) || !ids::is_guid(source))
    out.violation("$.IngestionSourceId", rule,
                  "IngestionSourceId must be the GUID of the queued message (its Id)");
  need_string(o, failure ? "FailedOn" : "SucceededOn", out, rule);
  if (!failure) return;
  optional_bool(o, "OriginatesFromUpdatePolicy", out, rule);
  optional_bool(o, "ShouldRetry", out, rule);
  std::string_view status, details, code;
  if (!o["FailureStatus"].get_string().get(status) && status != "Unknown" &&
      status != "Permanent" && status != "Transient" && status != "Exhausted")
    out.violation("$.FailureStatus", rule,
                  "FailureStatus must be Unknown, Permanent, Transient or Exhausted");
  (void)!o["Details"].get_string().get(details);
  (void)!o["ErrorCode"].get_string().get(code);
  out.in_band("$", "kusto.ingest.failed",
              "the ingestion failed" + (code.empty() ? "" : " (" + std::string(code) + ")") +
                  (details.empty() ? "" : ": " + std::string(details.substr(0, 200))));
}

} // namespace konform::protocol
