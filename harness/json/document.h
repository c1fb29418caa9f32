#pragma once
// The one place that owns simdjson's padded buffers (the "padded_string rule"): a Document keeps
// its text and its parser alive together, so an element can never outlive the bytes it points to.
// DOM is used for golden files, scenarios and comparisons; the on-demand API is used by the
// validators on large responses (see protocol/).
#include "core/result.h"
#include "json/path.h"

#include <simdjson.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace konform::json {

class Document {
public:
  // Parses text; on a syntax error the message gives line and column (from json::locate_error)
  // prefixed by `origin` (a file name, or a description like "response of step 'ping'").
  static Result<Document> parse(std::string_view text, std::string_view origin = "");

  simdjson::dom::element root() const { return root_; }
  std::string_view text() const { return {text_.data(), text_.size()}; }

private:
  simdjson::padded_string text_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// Names a JSON type for messages: "an array", "an object", "a string", "a boolean", "null",
// "a number".
std::string type_name(simdjson::dom::element_type type);

// The value at `path` below `root`, or nullopt when a member or an index does not exist.
std::optional<simdjson::dom::element> value_at(simdjson::dom::element root,
                                               std::span<const PathStep> path);

} // namespace konform::json
