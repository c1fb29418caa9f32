// detect_kind: what a saved body is, from its first bytes only (a gigabyte v2 body is never
// scanned whole). Object keys near the start decide; JSON validity is the validators' business.
#include "core/text.h"
#include "protocol/validate.h"

namespace konform::protocol {
namespace {

constexpr std::size_t prefix_size = 8192;

bool has(std::string_view s, std::string_view token) {
  return s.find(token) != s.npos;
}

// The first object key after position `pos` (which must be at a '{'), or "".
std::string_view first_key(std::string_view s, std::size_t pos) {
  pos = s.find_first_not_of(" \t\r\n", pos + 1);
  if (pos == s.npos || s[pos] != '"') return {};
  auto end = s.find('"', pos + 1);
  return end == s.npos ? std::string_view{} : s.substr(pos + 1, end - pos - 1);
}

} // namespace

std::optional<Kind> detect_kind(std::string_view body) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  std::string_view p = body.substr(0, prefix_size);
  auto start = p.find_first_not_of(" \t\r\n");
  if (start == p.npos) return std::nullopt;
  char c = p[start];
  if (c == '[') {
    auto next = p.find_first_not_of(" \t\r\n", start + 1);
    if (next == p.npos) return Kind::json;
    if (p[next] != '{') return Kind::json;
    // Key order inside the first element varies (python's alternative_order.json), so look at
    // the whole prefix.
    if (has(p, "\"FrameType\"")) return Kind::kusto_v2;
    auto key = first_key(p, next);
    if (key == "header" || has(p, "\"columnNames\"") || has(p, "{\"header\""))
      return Kind::ksql_stream;
    if (key == "@type" || has(p, "\"statementText\"")) return Kind::ksql_entities;
    return Kind::json;
  }
  if (c == '{') {
    auto key = first_key(p, start);
    if (has(p, "\"Tables\"") && (key == "Tables" || key == "Exceptions"))
      return has(p, "\"ConsumedRecordsCount\"") ? Kind::kusto_ingest : Kind::kusto_v1;
    if (key == "error" && has(p, "\"code\"")) return Kind::kusto_error;
    if (has(p, "\"error_code\"") && (key == "@type" || key == "error_code" || key == "message"))
      return Kind::ksql_error;
    if (key == "header" || key == "row" || key == "queryId" || key == "columnNames")
      return Kind::ksql_stream;
    if (has(p, "\"BlobPath\"") && has(p, "\"DatabaseName\"")) return Kind::kusto_ingest_message;
    if (has(p, "\"OperationId\"") && (has(p, "\"FailedOn\"") || has(p, "\"SucceededOn\"")))
      return Kind::kusto_ingest_notification;
    if (key == "KsqlServerInfo" || key == "isHealthy" || key == "commandStatuses" ||
        (key == "version" && has(p, "\"clusterId\"")) || key == "scope")
      return Kind::ksql_entities;
    return Kind::json;
  }
  // Not JSON. Kusto answers some failures in plain text: without an Accept header its failure
  // body "is not necessarily a JSON document" (the REST docs, response.md).
  auto t = text::trim(p);
  if (text::istarts_with(t, "Bad request:") || has(t, "Error details:") ||
      text::istarts_with(t, "General_") || text::istarts_with(t, "BadRequest_"))
    return Kind::kusto_error;
  return Kind::text;
}

} // namespace konform::protocol
