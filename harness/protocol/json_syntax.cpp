#include "protocol/json_syntax.h"

#include "json/locate.h"

namespace konform::protocol {

std::string_view strip_bom(std::string_view body, std::string_view rule_prefix, Findings& out) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") {
    out.warning("$", std::string(rule_prefix) + ".bom",
                "the body starts with a UTF-8 byte-order mark; JSON (RFC 8259) forbids it in "
                "network transfers, although most parsers skip it");
    return body.substr(3);
  }
  return body;
}

std::string where_invalid(std::string_view body) {
  if (auto loc = json::locate_error(body))
    return std::to_string(loc->line) + ":" + std::to_string(loc->column) + ": " + loc->what;
  auto end = json::location_of_offset(body, body.size());
  return std::to_string(end.line) + ":" + std::to_string(end.column) + ": document ends early";
}

std::optional<json::Document> parse_or_report(std::string_view body, std::string_view rule,
                                              Findings& out) {
  auto doc = json::Document::parse(body);
  if (!doc) {
    out.violation("$", rule, "not valid JSON at " + where_invalid(body));
    return std::nullopt;
  }
  return std::move(*doc);
}

} // namespace konform::protocol
