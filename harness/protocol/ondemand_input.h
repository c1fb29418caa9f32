#pragma once
// Feeding a body to simdjson's on-demand parser: uses the caller's buffer when it promises the
// read-ahead padding (validate_in_place), copies it into a padded buffer otherwise, skips a UTF-8
// byte-order mark (reported as a warning), and turns simdjson errors into located findings.
#include "protocol/findings.h"

#include <simdjson.h>

#include <memory>
#include <string_view>

namespace konform::protocol {

// True when text follows the root value once the walk has consumed it ("[...] x").
bool trailing_content(simdjson::ondemand::document& doc);

class OnDemandInput {
public:
  // rule_prefix names the protocol ("kusto.v2") for the BOM warning and syntax violations.
  OnDemandInput(std::string_view body, bool padded, std::string_view rule_prefix, Findings& out);

  // Starts the walk; false (with a violation recorded) when simdjson refuses the document.
  bool iterate(simdjson::ondemand::document& doc);

  // Records a syntax/truncation violation for an error met while walking, at path.
  void syntax_error(simdjson::error_code error, std::string path);

  std::string_view text() const { return view_; }

private:
  simdjson::ondemand::parser& parser();

  std::string_view view_;
  std::size_t capacity_ = 0;
  simdjson::padded_string copy_;
  std::unique_ptr<simdjson::ondemand::parser> own_parser_;
  std::string rule_;
  Findings& out_;
  bool reported_ = false;
};

} // namespace konform::protocol
