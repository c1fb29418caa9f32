#include "scenario/variables.h"

#include "core/ids.h"
#include "json/writer.h"

namespace konform::scenario {
namespace {

bool is_name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

// Walks text, calling on_literal for plain runs and on_variable for each ${name} (with the
// offset just past its closing brace).
template <class Literal, class Variable>
Status scan(std::string_view text, VariableSyntaxError* where, Literal on_literal,
            Variable on_variable) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      on_literal(text.substr(i));
      break;
    }
    on_literal(text.substr(i, dollar - i));
    if (text.substr(dollar, 3) == "$${") { // escaped: a literal "${"
      on_literal("${");
      i = dollar + 3;
      continue;
    }
    if (text.substr(dollar, 2) != "${") {
      on_literal("$");
      i = dollar + 1;
      continue;
    }
    std::size_t close = text.find('}', dollar + 2);
    auto fail = [&](std::string message) -> Status {
      if (where) *where = {dollar, message};
      return make_error(std::move(message));
    };
    if (close == std::string_view::npos)
      return fail("unterminated \"${\": close the variable with '}' (write \"$${\" for a "
                  "literal \"${\")");
    std::string_view name = text.substr(dollar + 2, close - dollar - 2);
    bool valid = !name.empty();
    for (std::size_t k = 0; valid && k < name.size(); ++k)
      valid = is_name_char(name[k], k == 0);
    if (!valid)
      return fail("invalid variable name \"" + std::string(name) +
                  "\": use letters, digits, '_', '.' or '-', starting with a letter or '_'");
    i = close + 1;
    i = on_variable(name, i);
  }
  return Ok{};
}

} // namespace

std::string variable_name_from(std::string_view text) {
  std::string name;
  for (char c : text)
    name += is_name_char(c, false) ? c : '_';
  if (name.empty() || !is_name_char(name[0], true) || name == "uuid" || name == "target")
    name.insert(name.begin(), '_');
  return name;
}

Result<std::vector<std::string>> referenced_variables(std::string_view text,
                                                      VariableSyntaxError* where) {
  std::vector<std::string> names;
  auto st = scan(
      text, where, [](std::string_view) {},
      [&](std::string_view name, std::size_t next) {
        names.emplace_back(name);
        return next;
      });
  if (!st) return st.error();
  return names;
}

Result<std::string> expand(std::string_view text, const Variables& variables, bool json_escape,
                           const JsonValued* json_valued) {
  std::string out;
  out.reserve(text.size());
  std::string undefined;
  auto append_value = [&](std::string_view value) {
    if (!json_escape) {
      out += value;
      return;
    }
    std::string quoted;
    json::append_quoted(quoted, value);
    out.append(quoted, 1, quoted.size() - 2); // inside an existing JSON string: no quotes
  };
  auto st = scan(
      text, nullptr, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name, std::size_t next) {
        if (name == "uuid") {
          append_value(ids::uuid4());
          return next;
        }
        auto it = variables.find(name);
        if (it == variables.end()) {
          if (undefined.empty()) undefined = std::string(name);
          return next;
        }
        bool whole_string = !out.empty() && out.back() == '"' &&
                            (out.size() < 2 || out[out.size() - 2] != '\\') && next < text.size() &&
                            text[next] == '"';
        if (json_escape && json_valued && json_valued->count(name) && whole_string) {
          out.pop_back(); // the opening quote goes, the value goes in as JSON
          out += it->second;
          return next + 1; // and the closing quote goes too
        }
        append_value(it->second);
        return next;
      });
  if (!st) return st.error();
  if (!undefined.empty())
    return make_error("variable ${" + undefined +
                      "} is not defined (a capture of an earlier step failed, or pass --var " +
                      undefined + "=VALUE)");
  return out;
}

Result<std::pair<std::string, std::string>> parse_variable(const std::string& assignment) {
  auto eq = assignment.find('=');
  std::string name = assignment.substr(0, eq);
  bool valid = eq != std::string::npos && !name.empty();
  for (std::size_t i = 0; valid && i < name.size(); ++i) {
    char c = name[i];
    valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
            (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
  }
  if (!valid)
    return make_error("--var \"" + assignment +
                      "\": write NAME=VALUE, where NAME uses letters, "
                      "digits, '_', '.' or '-' and starts with a letter or '_'");
  return std::pair{name, assignment.substr(eq + 1)};
}

} // namespace konform::scenario
