// Kusto HTTP-level rules (the service's REST docs, response.md): the headers every response carries
// (errors included), honest Content-Type/Content-Encoding, and OneAPI error bodies whose code fits
// the status.
#include "core/gzip.h"
#include "core/ids.h"
#include "core/text.h"
#include "protocol/json_syntax.h"
#include "protocol/kusto_oneapi.h"
#include "protocol/validators.h"

#include <array>

namespace konform::protocol {
namespace {

struct CodeStatus {
  std::string_view code_prefix;
  int status;
};

// api/netfx/kusto-data-client-errors.md: which status each error code comes with.
constexpr std::array<CodeStatus, 9> code_status{{
    {"General_BadRequest", 400},
    {"BadRequest_", 400},
    {"Forbidden", 403},
    {"Unauthorized", 401},
    {"NotFound", 404},
    {"PayloadTooLarge", 413},
    {"TooManyRequests", 429},
    {"RequestExecutionTimeout", 504},
    {"Conflict", 409},
}};

bool looks_like_json(std::string_view body) {
  auto t = text::trim(body);
  if (t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF") t = text::trim(t.substr(3));
  return !t.empty() && (t.front() == '{' || t.front() == '[');
}

std::string first_line(std::string_view s) {
  s = text::trim(s);
  return std::string(s.substr(0, std::min(s.find_first_of("\r\n"), std::size_t(200))));
}

} // namespace

void validate_kusto_http(std::string_view body, const Exchange& exchange, Findings& out) {
  if (!exchange.headers) return;
  const auto& h = *exchange.headers;
  auto activity = http::find_header(h, "x-ms-activity-id");
  if (!activity)
    out.violation("", "kusto.http.activity-id",
                  "the response has no x-ms-activity-id header; Kusto sends one on every "
                  "response, errors included");
  else if (!ids::is_guid(text::trim(*activity)))
    out.warning("", "kusto.http.activity-id",
                "x-ms-activity-id \"" + std::string(*activity) + "\" is not a GUID");

  auto crid = http::find_header(h, "x-ms-client-request-id");
  std::optional<std::string_view> sent;
  if (exchange.request_headers)
    sent = http::find_header(*exchange.request_headers, "x-ms-client-request-id");
  if (!crid) {
    out.violation("", "kusto.http.client-request-id",
                  "the response has no x-ms-client-request-id header; Kusto echoes the request's "
                  "(or sends unspecified;<guid> when none was sent)");
  } else if (sent) {
    if (*crid != *sent)
      out.violation("", "kusto.http.client-request-id",
                    "x-ms-client-request-id \"" + std::string(*crid) +
                        "\" does not echo the request's \"" + std::string(*sent) + "\"");
  } else if (exchange.request_headers) {
    auto v = text::trim(*crid);
    if (!text::istarts_with(v, "unspecified;") || !ids::is_guid(v.substr(12)))
      out.warning("", "kusto.http.client-request-id",
                  "no client request id was sent, so the server should report "
                  "unspecified;<guid>, found \"" +
                      std::string(v) + "\"");
  }

  // Content-Encoding: the body handed to us is already decoded.
  if (auto enc = http::find_header(h, "content-encoding")) {
    auto e = text::trim(*enc);
    if (!text::iequals(e, "gzip") && !text::iequals(e, "deflate") && !text::iequals(e, "identity"))
      out.violation("", "kusto.http.content-encoding",
                    "Content-Encoding \"" + std::string(e) +
                        "\" is not gzip or deflate; SDKs reject other encodings");
    else if (gzip::looks_like_gzip(body))
      out.violation(
          "", "kusto.http.content-encoding",
          "the body is still gzip data after undoing Content-Encoding (compressed twice)");
  } else if (gzip::looks_like_gzip(body)) {
    out.violation("", "kusto.http.content-encoding",
                  "the body is gzip data but no Content-Encoding header says so");
  }

  auto type = http::find_header(h, "content-type");
  bool json = looks_like_json(body);
  if (!type) {
    if (!body.empty())
      out.warning("", "kusto.http.content-type", "the response has a body but no Content-Type");
  } else if (json && text::to_lower(*type).find("json") == std::string::npos) {
    out.violation("", "kusto.http.content-type",
                  "the body is JSON but Content-Type says \"" + std::string(*type) + "\"");
  } else if (!json && !body.empty() && text::to_lower(*type).find("json") != std::string::npos) {
    out.violation("", "kusto.http.content-type", "Content-Type says JSON but the body is not JSON");
  }
}

void validate_kusto_error(std::string_view body, const Exchange& exchange, Findings& out) {
  if (!looks_like_json(body)) {
    // Real servers answer some failures in plain text (Go keeps two such fixtures).
    out.warning("$", "kusto.error.plain-text",
                "the error body is plain text, not a OneAPI JSON error; clients can only show it");
    out.in_band("$", "kusto.error.text", "the response reports an error: " + first_line(body));
    return;
  }
  body = strip_bom(body, "kusto.error", out);
  auto doc = parse_or_report(body, "kusto.error.json", out);
  if (!doc) return;
  if (!doc->root().is_object() || doc->root()["error"].error()) {
    out.violation(
        "$", "kusto.error.shape",
        "a Kusto error body is a OneAPI error {\"error\":{\"code\":...,\"message\":...}}");
    return;
  }
  std::string summary = kusto::check_oneapi_error(doc->root(), "$", true, out);
  out.in_band("$.error", "kusto.error.oneapi", "the response reports an error: " + summary);

  std::string_view code;
  (void)!doc->root()["error"]["code"].get_string().get(code);
  bool permanent = false;
  bool have_permanent = !doc->root()["error"]["@permanent"].get_bool().get(permanent);
  if (code == "TooManyRequests" && have_permanent && permanent)
    out.violation("$.error[\"@permanent\"]", "kusto.error.permanent",
                  "a throttling error (TooManyRequests) is never permanent: clients must retry");
  if (exchange.status == 0) return;
  if (exchange.status < 400 && exchange.status != 200)
    out.violation("", "kusto.error.status",
                  "an error body comes with status " + std::to_string(exchange.status));
  for (const auto& cs : code_status)
    if (code.rfind(cs.code_prefix, 0) == 0 && exchange.status != cs.status &&
        exchange.status != 200) {
      out.violation("$.error.code", "kusto.error.status",
                    "error code " + std::string(code) + " comes with status " +
                        std::to_string(cs.status) + ", not " + std::to_string(exchange.status));
      break;
    }
}

} // namespace konform::protocol
