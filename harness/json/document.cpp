#include "json/document.h"

#include "json/locate.h"

namespace konform::json {

Result<Document> Document::parse(std::string_view text, std::string_view origin) {
  Document doc;
  doc.text_ = simdjson::padded_string(text);
  doc.parser_ = std::make_unique<simdjson::dom::parser>();
  auto r = doc.parser_->parse(doc.text_);
  if (r.error()) {
    // simdjson does not report where an error is; our own scanner does, for the message only.
    auto where = locate_error(text);
    std::string prefix = origin.empty() ? std::string() : std::string(origin) + ":";
    if (where)
      return make_error(prefix + std::to_string(where->line) + ":" + std::to_string(where->column) +
                        ": invalid JSON: " + where->what);
    return make_error(prefix + " invalid JSON: " + simdjson::error_message(r.error()));
  }
  doc.root_ = r.value_unsafe();
  return doc;
}

std::string type_name(simdjson::dom::element_type type) {
  switch (type) {
  case simdjson::dom::element_type::ARRAY:
    return "an array";
  case simdjson::dom::element_type::OBJECT:
    return "an object";
  case simdjson::dom::element_type::STRING:
    return "a string";
  case simdjson::dom::element_type::BOOL:
    return "a boolean";
  case simdjson::dom::element_type::NULL_VALUE:
    return "null";
  default:
    return "a number";
  }
}

std::optional<simdjson::dom::element> value_at(simdjson::dom::element root,
                                               std::span<const PathStep> path) {
  simdjson::dom::element current = root;
  for (const auto& step : path) {
    if (step.is_index) {
      simdjson::dom::array array;
      if (current.get_array().get(array)) return std::nullopt;
      if (step.index >= array.size()) return std::nullopt;
      if (array.at(step.index).get(current)) return std::nullopt;
    } else {
      simdjson::dom::object object;
      if (current.get_object().get(object)) return std::nullopt;
      if (object.at_key(step.key).get(current)) return std::nullopt;
    }
  }
  return current;
}

} // namespace konform::json
