#include "protocol/kusto_oneapi.h"

namespace konform::protocol::kusto {
namespace {

std::string clip(std::string_view s) {
  constexpr std::size_t max = 200;
  return s.size() <= max ? std::string(s) : std::string(s.substr(0, max)) + "...";
}

} // namespace

std::string check_oneapi_error(simdjson::dom::element wrapper, const std::string& path, bool strict,
                               Findings& out) {
  simdjson::dom::object error;
  if (wrapper["error"].get_object().get(error)) {
    out.violation(path, "kusto.oneapi.shape",
                  "a OneAPI error is an object {\"error\":{\"code\":...,\"message\":...}}");
    return "malformed error";
  }
  std::string epath = child_path(path, "error");
  std::string_view code, message, detail;
  if (error["code"].get_string().get(code))
    out.violation(child_path(epath, "code"), "kusto.oneapi.shape",
                  "error.code must be a string such as \"General_BadRequest\"");
  if (error["message"].get_string().get(message))
    out.violation(child_path(epath, "message"), "kusto.oneapi.shape",
                  "error.message must be a string");
  for (std::string_view key : {"@type", "@message"}) {
    auto field = error[key];
    if (field.error() == simdjson::NO_SUCH_FIELD) {
      if (strict)
        out.warning(child_path(epath, key), "kusto.oneapi.field-missing",
                    std::string(key) + " is missing; SDKs show @message and log @type");
    } else if (!field.is_string()) {
      out.violation(child_path(epath, key), "kusto.oneapi.shape",
                    std::string(key) + " must be a string");
    }
  }
  auto context = error["@context"];
  if (context.error() == simdjson::NO_SUCH_FIELD) {
    if (strict)
      out.warning(child_path(epath, "@context"), "kusto.oneapi.field-missing",
                  "@context (activityId, clientRequestId, timestamp, ...) is missing");
  } else if (!context.is_object()) {
    out.violation(child_path(epath, "@context"), "kusto.oneapi.shape",
                  "@context must be an object");
  }
  auto permanent = error["@permanent"];
  if (permanent.error() == simdjson::NO_SUCH_FIELD) {
    if (strict)
      out.warning(child_path(epath, "@permanent"), "kusto.oneapi.field-missing",
                  "@permanent is missing; Go and Java SDKs decide whether to retry from it");
  } else if (!permanent.is_bool()) {
    out.violation(child_path(epath, "@permanent"), "kusto.oneapi.shape",
                  "@permanent must be true or false");
  }
  auto inner = error["innererror"];
  if (inner.error() != simdjson::NO_SUCH_FIELD && !inner.is_object())
    out.violation(child_path(epath, "innererror"), "kusto.oneapi.shape",
                  "innererror must be an object");
  (void)!error["@message"].get_string().get(detail);
  return std::string(code.empty() ? "error" : code) + ": " +
         clip(detail.empty() ? message : detail);
}

std::size_t report_oneapi_errors(std::string_view array_json, const std::string& path,
                                 std::string_view rule, Findings& out) {
  simdjson::dom::parser parser;
  simdjson::dom::array errors;
  if (parser.parse(array_json.data(), array_json.size()).get_array().get(errors)) {
    out.violation(path, "kusto.oneapi.shape", "OneApiErrors must be an array of error objects");
    return 0;
  }
  std::size_t n = 0;
  for (auto e : errors) {
    std::string epath = index_path(path, n++);
    std::string summary = check_oneapi_error(e, epath, false, out);
    out.in_band(epath, rule, "the response reports an error: " + summary);
  }
  if (n == 0) out.warning(path, "kusto.oneapi.empty", "OneApiErrors is present but empty");
  return n;
}

} // namespace konform::protocol::kusto
