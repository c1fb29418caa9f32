#pragma once
// ${name} variables in scenario strings. ${uuid} is a fresh UUID at every occurrence, ${target}
// the origin of the scenario's target, the others come from the scenario's "variables", --var
// k=v and captures of earlier steps. "$${" writes a literal "${".
#include "core/result.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace konform::scenario {

using Variables = std::map<std::string, std::string, std::less<>>;

// The names a string refers to, in order; the error says what is malformed (an unterminated
// "${" or an invalid name) and at which byte offset, so the parser can locate it.
struct VariableSyntaxError {
  std::size_t offset = 0;
  std::string message;
};
Result<std::vector<std::string>> referenced_variables(std::string_view text,
                                                      VariableSyntaxError* where = nullptr);

// Names whose value is JSON text rather than a string: captures of a number, boolean, object or
// array.
using JsonValued = std::set<std::string, std::less<>>;

// Replaces every ${name}. With json_escape the values are escaped for use inside a JSON string
// (inline JSON bodies), so a captured value with quotes cannot break the body; and a JSON string
// that is exactly "${name}" of a json_valued name becomes that value itself, so a captured
// commandSequenceNumber goes back as the number it was. The error names the first undefined
// variable.
Result<std::string> expand(std::string_view text, const Variables& variables,
                           bool json_escape = false, const JsonValued* json_valued = nullptr);

// A name a capture may use, made from any text (a recorded response's JSON key): characters a
// name cannot hold become '_', a name that cannot start as it does gets a leading '_', and the
// built-in uuid and target get one too ("it's Id" -> "it_s_Id", "1st" -> "_1st").
std::string variable_name_from(std::string_view text);

// "name=value" from --var (check and load); the error says what a valid assignment looks like.
Result<std::pair<std::string, std::string>> parse_variable(const std::string& assignment);

} // namespace konform::scenario
