#include "vocabulary/kind.h"

#include "core/text.h"

namespace konform::protocol {
using text::join;

const std::vector<KindName>& kind_names() {
  static const std::vector<KindName> names{
      {Kind::kusto_v1, "kusto-v1", true},
      {Kind::kusto_v2, "kusto-v2", true},
      {Kind::kusto_error, "kusto-error", true},
      {Kind::kusto_ingest, "kusto-ingest", true},
      {Kind::kusto_ingest_message, "kusto-ingest-message", false},
      {Kind::kusto_ingest_notification, "kusto-ingest-notification", false},
      {Kind::ksql_entities, "ksql-entities", true},
      {Kind::ksql_error, "ksql-error", true},
      {Kind::ksql_stream, "ksql-stream", true},
      {Kind::json, "json", true},
      {Kind::text, "text", true},
  };
  return names;
}

std::string_view to_string(Kind kind) {
  for (const auto& k : kind_names())
    if (k.kind == kind) return k.name;
  return "unknown";
}

std::optional<Kind> parse_kind(std::string_view name) {
  for (const auto& k : kind_names())
    if (k.name == name) return k.kind;
  for (const auto& k : kind_names()) {
    std::string alt(k.name);
    for (auto& c : alt)
      if (c == '-') c = '_';
    if (alt == name) return k.kind;
  }
  return std::nullopt;
}

std::vector<std::string_view> scenario_kind_names() {
  std::vector<std::string_view> out;
  for (const auto& k : kind_names())
    if (k.in_scenarios) out.push_back(k.name);
  return out;
}

std::string kind_list() {
  std::vector<std::string_view> out;
  for (const auto& k : kind_names())
    out.push_back(k.name);
  return join(out);
}

std::string scenario_kind_list() {
  return join(scenario_kind_names());
}

} // namespace konform::protocol
