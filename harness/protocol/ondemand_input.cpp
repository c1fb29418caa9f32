#include "protocol/ondemand_input.h"

#include "protocol/json_syntax.h"

namespace konform::protocol {
namespace {
// Bodies up to this size reuse one parser per thread (check and load validate many small
// responses); larger ones get their own, so a gigabyte index is freed when the walk ends.
constexpr std::size_t reuse_limit = std::size_t(16) << 20;
} // namespace

OnDemandInput::OnDemandInput(std::string_view body, bool padded, std::string_view rule_prefix,
                             Findings& out)
    : rule_(std::string(rule_prefix) + ".json"), out_(out) {
  body = strip_bom(body, rule_prefix, out);
  if (padded) {
    view_ = body;
    capacity_ = body.size() + simdjson::SIMDJSON_PADDING;
  } else {
    copy_ = simdjson::padded_string(body);
    view_ = std::string_view(copy_.data(), copy_.size());
    capacity_ = copy_.size() + simdjson::SIMDJSON_PADDING;
  }
}

simdjson::ondemand::parser& OnDemandInput::parser() {
  if (view_.size() <= reuse_limit) {
    thread_local simdjson::ondemand::parser shared;
    return shared;
  }
  own_parser_ = std::make_unique<simdjson::ondemand::parser>();
  return *own_parser_;
}

bool OnDemandInput::iterate(simdjson::ondemand::document& doc) {
  if (view_.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    out_.violation("$", rule_, "the body is empty; a JSON document was expected");
    reported_ = true;
    return false;
  }
  auto error = parser().iterate(view_.data(), view_.size(), capacity_).get(doc);
  if (error) {
    syntax_error(error, "$");
    return false;
  }
  return true;
}

void OnDemandInput::syntax_error(simdjson::error_code error, std::string path) {
  if (reported_) return; // after the first error the parser's position means nothing
  reported_ = true;
  out_.violation(std::move(path), rule_,
                 "not valid JSON at " + where_invalid(view_) + " (" +
                     simdjson::error_message(error) + "); a truncated stream looks like this");
}

bool trailing_content(simdjson::ondemand::document& doc) {
  // simdjson 3.0 has no document::at_end(); current_location() fails once nothing is left.
  const char* where = nullptr;
  return !doc.current_location().get(where);
}

} // namespace konform::protocol
