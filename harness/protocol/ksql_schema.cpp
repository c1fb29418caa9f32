#include "protocol/ksql_schema.h"

#include "core/text.h"

namespace konform::protocol::ksql {

std::string base_type(std::string_view type) {
  type = text::trim(type);
  std::size_t end = 0;
  while (end < type.size() && type[end] != '<' && type[end] != '(' && type[end] != ' ')
    ++end;
  std::string out(type.substr(0, end));
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::optional<std::vector<SchemaColumn>> parse_schema(std::string_view schema) {
  std::vector<SchemaColumn> out;
  if (text::trim(schema).empty()) return out;
  int depth = 0;
  bool quoted = false;
  std::size_t start = 0;
  auto entry = [&](std::string_view e) -> bool {
    e = text::trim(e);
    SchemaColumn c;
    if (!e.empty() && e.front() == '`') {
      auto close = e.find('`', 1);
      if (close == std::string_view::npos) return false;
      c.name = e.substr(1, close - 1);
      e = e.substr(close + 1);
    } else {
      auto sp = e.find(' ');
      if (sp == std::string_view::npos) return false;
      c.name = e.substr(0, sp);
      e = e.substr(sp);
    }
    c.type = base_type(e);
    if (c.type.empty()) return false;
    out.push_back(std::move(c));
    return true;
  };
  for (std::size_t i = 0; i < schema.size(); ++i) {
    char ch = schema[i];
    if (ch == '`')
      quoted = !quoted;
    else if (quoted)
      continue;
    else if (ch == '<' || ch == '(')
      ++depth;
    else if (ch == '>' || ch == ')')
      --depth;
    else if (ch == ',' && depth == 0) {
      if (!entry(schema.substr(start, i - start))) return std::nullopt;
      start = i + 1;
    }
    if (depth < 0) return std::nullopt;
  }
  if (quoted || depth != 0 || !entry(schema.substr(start))) return std::nullopt;
  return out;
}

std::string_view type_mismatch(std::string_view type, simdjson::dom::element value) {
  using simdjson::dom::element_type;
  auto t = value.type();
  if (t == element_type::NULL_VALUE) return {};
  auto number = t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  if (type == "BIGINT" || type == "INTEGER" || type == "INT")
    return t == element_type::INT64 || t == element_type::UINT64 ? std::string_view{}
                                                                 : "a whole number";
  if (type == "DOUBLE" || type == "DECIMAL") return number ? std::string_view{} : "a number";
  if (type == "BOOLEAN") return t == element_type::BOOL ? std::string_view{} : "true or false";
  if (type == "STRING" || type == "VARCHAR" || type == "BYTES" || type == "TIMESTAMP" ||
      type == "DATE" || type == "TIME")
    return t == element_type::STRING ? std::string_view{} : "a string";
  if (type == "ARRAY") return t == element_type::ARRAY ? std::string_view{} : "an array";
  if (type == "MAP" || type == "STRUCT")
    return t == element_type::OBJECT ? std::string_view{} : "an object";
  return {};
}

} // namespace konform::protocol::ksql
