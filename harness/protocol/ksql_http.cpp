// ksqlDB HTTP-level rules: the response Content-Type for the Accept that was sent. Follows G5/G6
// (ksqlDB ≥0.10): the /ksql family always answers application/json; /query answers
// application/vnd.ksql.v1+json for JSON Accepts and the delimited format for */*; FailureHandler
// errors carry no Content-Type at all.
#include "core/text.h"
#include "protocol/validators.h"

namespace konform::protocol {
namespace {

constexpr std::string_view delimited = "application/vnd.ksqlapi.delimited.v1";
constexpr std::string_view v1_json = "application/vnd.ksql.v1+json";
constexpr std::string_view protobuf = "application/vnd.ksql.v1+protobuf";

std::string media_type(std::string_view header) {
  auto semi = header.find(';');
  return text::to_lower(text::trim(header.substr(0, semi)));
}

bool is_ksql_type(const std::string& t) {
  return t == "application/json" || t == v1_json || t == delimited || t == protobuf;
}

// Does the Accept header list this media type (or a wildcard covering it)?
bool accepts(std::string_view accept, const std::string& type) {
  for (auto part : text::split(accept, ',')) {
    std::string a = media_type(part);
    if (a == type || a == "*/*" || a == "application/*") return true;
  }
  return false;
}

} // namespace

void validate_ksql_http(std::string_view body, const Exchange& exchange, Findings& out) {
  if (!exchange.headers) return;
  auto ct = http::find_header(*exchange.headers, "content-type");
  bool success = exchange.status == 0 || (exchange.status >= 200 && exchange.status < 300);
  if (!ct) {
    if (success && !text::trim(body).empty())
      out.warning("", "ksql.http.content-type",
                  "a successful response with a body but no Content-Type");
    return; // errors from ksqlDB's FailureHandler have none (G5/G6)
  }
  std::string type = media_type(*ct);
  if (!is_ksql_type(type) && success) {
    out.violation("", "ksql.http.content-type",
                  "Content-Type \"" + std::string(*ct) +
                      "\" is none of the ksqlDB types (application/json, " + std::string(v1_json) +
                      ", " + std::string(delimited) + ", " + std::string(protobuf) + ")");
    return;
  }
  auto accept = text::trim(exchange.request_accept);
  if (accept.empty() || !success) return;
  // The /ksql family answers application/json whatever JSON type was asked for (ApiTest), and
  // /query answers v1+json to application/json: both are JSON, so any JSON answer fits a JSON
  // Accept.
  bool json_answer = type == "application/json" || type == v1_json;
  bool json_asked = accepts(accept, "application/json") || accepts(accept, std::string(v1_json));
  if (type == delimited && !accepts(accept, type))
    out.violation("", "ksql.http.accept",
                  "the delimited format was sent although Accept \"" + std::string(accept) +
                      "\" does not allow it");
  else if (json_answer && !json_asked)
    out.violation("", "ksql.http.accept",
                  "a JSON body was sent although Accept \"" + std::string(accept) +
                      "\" asked for another format");
  else if (type == protobuf && !accepts(accept, type))
    out.violation("", "ksql.http.accept",
                  "protobuf was sent although Accept \"" + std::string(accept) +
                      "\" does not allow it");
  // The body layout must match the type it is labelled with.
  auto t = text::trim(body);
  if (type == delimited && !t.empty() && t.front() == '[')
    out.violation("", "ksql.http.content-type",
                  "Content-Type says delimited but the body is a JSON array");
  if (type == v1_json && !t.empty() && t.front() == '{' && t.find("\"columnNames\"") != t.npos)
    out.violation("", "ksql.http.content-type",
                  "Content-Type says " + std::string(v1_json) +
                      " but the body is the delimited /query-stream format");
}

} // namespace konform::protocol
