// ksqlDB error bodies. Shape rules hold for every server generation; `stackTrace` is accepted
// because G1–G3 (KSQL 5.0–5.5) and ksqlDB up to 0.9 send it (removed in 0.10).
#include "protocol/ksql_error.h"

#include "core/text.h"
#include "protocol/json_syntax.h"
#include "protocol/validators.h"

namespace konform::protocol {
namespace ksql {

std::string check_error_object(simdjson::dom::element error, const std::string& path, int status,
                               Findings& out) {
  simdjson::dom::object obj;
  if (error.get_object().get(obj)) {
    out.violation(path, "ksql.error.shape",
                  "a ksqlDB error is an object {\"@type\",\"error_code\",\"message\"}");
    return "malformed error";
  }
  std::string_view type, message;
  std::int64_t code = 0;
  if (obj["@type"].get_string().get(type))
    out.violation(child_path(path, "@type"), "ksql.error.type",
                  "@type must be \"generic_error\" or \"statement_error\"");
  else if (type != "generic_error" && type != "statement_error")
    out.violation(child_path(path, "@type"), "ksql.error.type",
                  "@type \"" + std::string(type) + "\" is not generic_error or statement_error");
  bool have_code = !obj["error_code"].get_int64().get(code);
  if (!have_code)
    out.violation(child_path(path, "error_code"), "ksql.error.code",
                  "error_code must be an integer (HTTP status * 100 + detail, e.g. 40001)");
  else if (code < 10000 || code > 59999)
    out.violation(child_path(path, "error_code"), "ksql.error.code",
                  "error_code " + std::to_string(code) + " is not a status*100 code");
  if (obj["message"].get_string().get(message))
    out.violation(child_path(path, "message"), "ksql.error.message", "message must be a string");
  if (type == "statement_error") {
    if (!obj["statementText"].is_string())
      out.violation(child_path(path, "statementText"), "ksql.error.statement",
                    "a statement_error carries the statementText it refers to");
    if (!obj["entities"].is_array())
      out.violation(child_path(path, "entities"), "ksql.error.statement",
                    "a statement_error carries an entities array ([] since ksqlDB 0.10)");
  }
  auto trace = obj["stackTrace"];
  if (trace.error() != simdjson::NO_SUCH_FIELD && !trace.is_array())
    out.violation(child_path(path, "stackTrace"), "ksql.error.shape",
                  "stackTrace (KSQL <= 0.9) is an array of strings");
  if (have_code && status > 0 && code / 100 != status && !(code == 50000 && status == 400))
    // 50000 with HTTP 400 is the one documented exception (internal endpoint on the public
    // listener, all generations since 0.10).
    out.violation(child_path(path, "error_code"), "ksql.error.status",
                  "error_code " + std::to_string(code) + " belongs with HTTP " +
                      std::to_string(code / 100) + ", but the status was " +
                      std::to_string(status));
  std::string first(message.substr(0, std::min(message.find('\n'), std::size_t(200))));
  return std::to_string(code) + ": " + first;
}

} // namespace ksql

void validate_ksql_error(std::string_view body, const Exchange& exchange, Findings& out) {
  auto t = text::trim(body);
  if (t.empty() || (t.front() != '{' && t.front() != '[')) {
    // Vert.x answers unmatched paths in text or HTML (404 "Not Found"), 405/406 with no body.
    out.warning(
        "$", "ksql.error.plain-text",
        "the error body is not a ksqlDB JSON error (" +
            (t.empty() ? std::string("empty") : "\"" + std::string(t.substr(0, 60)) + "\"") +
            "); clients can only show the status");
    out.in_band("$", "ksql.error.text",
                "the response reports an error" +
                    (exchange.status ? " (HTTP " + std::to_string(exchange.status) + ")" : ""));
    return;
  }
  auto doc = parse_or_report(body, "ksql.error.json", out);
  if (!doc) return;
  std::string summary = ksql::check_error_object(doc->root(), "$", exchange.status, out);
  out.in_band("$", "ksql.error.reported", "the response reports an error: " + summary);
}

} // namespace konform::protocol
