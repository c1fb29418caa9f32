#include "protocol/kusto_values.h"

#include "core/ids.h"
#include "core/text.h"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace konform::protocol::kusto {
namespace {

using simdjson::ondemand::json_type;

constexpr std::array<std::pair<std::string_view, ScalarType>, 16> column_types{{
    {"bool", ScalarType::boolean},
    {"boolean", ScalarType::boolean},
    {"int", ScalarType::int32},
    {"long", ScalarType::int64},
    {"real", ScalarType::real},
    {"double", ScalarType::real},
    {"decimal", ScalarType::decimal},
    {"string", ScalarType::string},
    {"guid", ScalarType::guid},
    {"uuid", ScalarType::guid},
    {"uniqueid", ScalarType::guid},
    {"datetime", ScalarType::datetime},
    {"date", ScalarType::datetime},
    {"timespan", ScalarType::timespan},
    {"time", ScalarType::timespan},
    {"dynamic", ScalarType::dynamic},
}};

constexpr std::array<std::pair<std::string_view, ScalarType>, 14> data_types{{
    {"String", ScalarType::string},
    {"DateTime", ScalarType::datetime},
    {"Int32", ScalarType::int32},
    {"Int64", ScalarType::int64},
    {"Double", ScalarType::real},
    {"Single", ScalarType::real},
    {"SByte", ScalarType::boolean},
    {"Boolean", ScalarType::boolean},
    {"Guid", ScalarType::guid},
    {"TimeSpan", ScalarType::timespan},
    {"Object", ScalarType::dynamic},
    {"SqlDecimal", ScalarType::decimal},
    {"Decimal", ScalarType::decimal},
    {"JToken", ScalarType::dynamic},
}};

// Character classes for the datetime and timespan checks: a table lookup per byte, never a libc
// call (guids are checked the same way, by ids::is_guid).
enum CharClass : std::uint8_t { digit = 1, dash = 2, colon = 4, letter_t = 8 };
constexpr std::array<std::uint8_t, 256> char_classes = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = digit;
  t[static_cast<std::size_t>('-')] = dash;
  t[static_cast<std::size_t>(':')] = colon;
  t[static_cast<std::size_t>('T')] = letter_t;
  return t;
}();

bool is_a(char c, CharClass cls) {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (!is_a(s[i], digit)) return false;
  return true;
}

// A fixed-width text form as one allowed class per position, so that checking it is a branch-free
// loop of table lookups (datetimes are many of the cells of a typical result).
struct Shape {
  std::array<std::uint8_t, 19> classes{};
  std::size_t size = 0;
};

// 'd' a decimal digit, '-', ':' or 'T' themselves.
constexpr Shape shape_of(std::string_view pattern) {
  Shape shape;
  shape.size = pattern.size();
  for (std::size_t i = 0; i < pattern.size(); ++i)
    shape.classes[i] = pattern[i] == 'd'   ? digit
                       : pattern[i] == '-' ? dash
                       : pattern[i] == ':' ? colon
                                           : letter_t;
  return shape;
}

constexpr Shape datetime_shape = shape_of("dddd-dd-ddTdd:dd:dd");
constexpr Shape clock_shape = shape_of("dd:dd:dd");

// s starts with the shape.
bool has_shape(std::string_view s, const Shape& shape) {
  if (s.size() < shape.size) return false;
  bool miss = false;
  for (std::size_t i = 0; i < shape.size; ++i)
    miss |= (char_classes[static_cast<unsigned char>(s[i])] & shape.classes[i]) == 0;
  return !miss;
}

int two_digits(std::string_view s, std::size_t pos) {
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

std::string type_word(json_type t) {
  switch (t) {
  case json_type::array:
    return "an array";
  case json_type::object:
    return "an object";
  case json_type::number:
    return "a number";
  case json_type::string:
    return "a string";
  case json_type::boolean:
    return "a boolean";
  case json_type::null:
    return "null";
  }
  return "an unknown value";
}

ValueProblem wrong_type(ScalarType type, json_type got, std::string_view expected) {
  return ValueProblem{Level::violation, "kusto.value.type",
                      "a " + std::string(to_string(type)) + " value must be " +
                          std::string(expected) + ", found " + type_word(got)};
}

std::optional<ValueProblem> check_string_form(ScalarType type, simdjson::ondemand::value& value,
                                              bool (*ok)(std::string_view), std::string_view rule,
                                              std::string_view form) {
  // The raw bytes between the quotes, without unescaping into simdjson's string buffer: guids,
  // datetimes, timespans and decimals never contain escapes, so an escape makes the value invalid
  // and the copy is saved on every cell (this is most of the validator's cost on big bodies).
  simdjson::ondemand::raw_json_string raw;
  if (value.get_raw_json_string().get(raw))
    return ValueProblem{Level::violation, "kusto.value.type", "unreadable string value"};
  const char* begin = raw.raw();
  const char* end = begin;
  while (*end != '"') // the closing quote is there: simdjson indexed it
    ++end;
  std::string_view s(begin, static_cast<std::size_t>(end - begin));
  if (ok(s)) return std::nullopt;
  return ValueProblem{Level::violation, rule,
                      "\"" + std::string(s.substr(0, 64)) + "\" is not a valid " +
                          std::string(to_string(type)) + " (" + std::string(form) + ")"};
}

} // namespace

std::string_view to_string(ScalarType type) {
  switch (type) {
  case ScalarType::boolean:
    return "bool";
  case ScalarType::int32:
    return "int";
  case ScalarType::int64:
    return "long";
  case ScalarType::real:
    return "real";
  case ScalarType::decimal:
    return "decimal";
  case ScalarType::string:
    return "string";
  case ScalarType::guid:
    return "guid";
  case ScalarType::datetime:
    return "datetime";
  case ScalarType::timespan:
    return "timespan";
  case ScalarType::dynamic:
    return "dynamic";
  }
  return "?";
}

std::optional<ScalarType> type_from_column_type(std::string_view name) {
  for (const auto& [n, t] : column_types)
    if (n == name) return t;
  return std::nullopt;
}

std::optional<ScalarType> type_from_data_type(std::string_view name) {
  if (text::istarts_with(name, "System."))
    name.remove_prefix(7);
  else if (text::istarts_with(name, "System.Data.SqlTypes."))
    name.remove_prefix(21);
  for (const auto& [n, t] : data_types)
    if (n == name) return t;
  return std::nullopt;
}

bool is_datetime(std::string_view s) {
  // yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z
  if (s.size() < 20 || s.back() != 'Z' || !has_shape(s, datetime_shape)) return false;
  int month = two_digits(s, 5), day = two_digits(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31 || two_digits(s, 11) > 23 ||
      two_digits(s, 14) > 59 || two_digits(s, 17) > 59 || s.substr(0, 4) == "0000")
    return false;
  std::size_t rest = s.size() - 1 - 19; // between seconds and 'Z'
  if (rest == 0) return true;
  return s[19] == '.' && rest >= 2 && rest <= 8 && digits(s, 20, rest - 1);
}

bool is_timespan(std::string_view s) {
  // [-][d.]hh:mm:ss[.fffffff]
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t day_end = i;
  while (day_end < s.size() && is_a(s[day_end], digit))
    ++day_end;
  if (day_end < s.size() && s[day_end] == '.') { // days (a fraction dot comes after a colon)
    if (day_end == i || day_end - i > 8) return false;
    i = day_end + 1;
  }
  if (!has_shape(s.substr(i), clock_shape)) return false;
  if (two_digits(s, i) > 23 || two_digits(s, i + 3) > 59 || two_digits(s, i + 6) > 59) return false;
  i += 8;
  if (i == s.size()) return true;
  std::size_t frac = s.size() - i - 1;
  return s[i] == '.' && frac >= 1 && frac <= 7 && digits(s, i + 1, frac);
}

bool is_decimal_text(std::string_view s) {
  // Kusto prints decimals as plain numbers, possibly in exponent form ("1E+20"); NaN is not a
  // decimal.
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i;
  bool have_digits = i > int_start;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t frac_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    have_digits = have_digits || i > frac_start;
  }
  if (!have_digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

namespace {

// The bytes between the quotes of a string value, read from its token (simdjson's index gives
// where it ends) without consuming the value; false when it is not a string.
bool string_token(simdjson::ondemand::value& value, std::string_view& out) {
  std::string_view token = value.raw_json_token();
  if (token.empty() || token.front() != '"') return false;
  while (token.size() > 1 && token.back() != '"') // whitespace before the next , or ]
    token.remove_suffix(1);
  if (token.size() < 2) return false;
  out = token.substr(1, token.size() - 2);
  return true;
}

// The first byte of the value's token, which is what type() looks at.
char first_byte(simdjson::ondemand::value& value) {
  return *value.raw_json_token().data();
}

bool in_int32_range(std::int64_t n) {
  return n >= std::numeric_limits<std::int32_t>::min() &&
         n <= std::numeric_limits<std::int32_t>::max();
}

// The common case on big bodies: a well-formed value, recognised with at most one on-demand call
// and from its first byte or raw token. False sends the value to the full checks, which then
// still see it: a failed getter consumes nothing, and the other tests only peek.
bool well_formed(ScalarType type, simdjson::ondemand::value& value) {
  std::int64_t n = 0;
  std::string_view s;
  switch (type) {
  case ScalarType::int64:
    return !value.get_int64().get(n);
  case ScalarType::int32:
    return !value.get_int64().get(n) && in_int32_range(n);
  case ScalarType::real: {
    char c = first_byte(value); // a number
    return c == '-' || is_a(c, digit);
  }
  case ScalarType::boolean: {
    char c = first_byte(value);
    return c == 't' || c == 'f';
  }
  case ScalarType::string:
    return first_byte(value) == '"';
  case ScalarType::decimal:
    return string_token(value, s) && is_decimal_text(s);
  case ScalarType::guid:
    return string_token(value, s) && ids::is_guid(s);
  case ScalarType::datetime:
    return string_token(value, s) && is_datetime(s);
  case ScalarType::timespan:
    return string_token(value, s) && is_timespan(s);
  case ScalarType::dynamic:
    return false; // type() below tells a JSON value from garbage
  }
  return false;
}

} // namespace

std::optional<ValueProblem> check_value(ScalarType type, simdjson::ondemand::value& value,
                                        bool v1) {
  if (well_formed(type, value)) return std::nullopt;
  json_type t;
  if (value.type().get(t))
    return ValueProblem{Level::violation, "kusto.value.type", "unreadable value"};
  if (type == ScalarType::dynamic) return std::nullopt; // any JSON value
  if (t == json_type::null) {
    if (type == ScalarType::string)
      // The docs say string values are never null (empty is ""), yet SDK fixtures carry null
      // strings and every SDK reads them as empty: unusual, not broken.
      return ValueProblem{Level::warning, "kusto.value.string-null",
                          "a string value is null; Kusto never sends null strings (an empty "
                          "string is \"\")"};
    return std::nullopt; // every other type is nullable
  }
  switch (type) {
  case ScalarType::boolean:
    if (t == json_type::boolean) return std::nullopt;
    if (v1 && t == json_type::number) {
      std::int64_t n = 0;
      if (!value.get_int64().get(n) && (n == 0 || n == 1)) return std::nullopt;
      return ValueProblem{Level::violation, "kusto.value.bool",
                          "a v1 bool given as a number must be 0 or 1"};
    }
    return wrong_type(type, t, v1 ? "true, false, 0 or 1" : "true or false");
  case ScalarType::int32: {
    if (t != json_type::number) return wrong_type(type, t, "a number");
    std::int64_t n = 0;
    if (value.get_int64().get(n))
      return ValueProblem{Level::violation, "kusto.value.int",
                          "an int value must be a whole number in the 32-bit range"};
    if (n < std::numeric_limits<std::int32_t>::min() ||
        n > std::numeric_limits<std::int32_t>::max())
      return ValueProblem{Level::violation, "kusto.value.int",
                          std::to_string(n) + " is outside the 32-bit range of int"};
    return std::nullopt;
  }
  case ScalarType::int64: {
    if (t != json_type::number) return wrong_type(type, t, "a number");
    std::int64_t n = 0;
    auto err = value.get_int64().get(n);
    if (!err) return std::nullopt;
    if (err == simdjson::NUMBER_OUT_OF_RANGE)
      return ValueProblem{Level::violation, "kusto.value.long",
                          "a long value is outside the 64-bit signed range"};
    return ValueProblem{Level::violation, "kusto.value.long",
                        "a long value must be a whole number written in full (it was written like "
                        "a floating-point number, so it went through a double and lost digits)"};
  }
  case ScalarType::real:
    if (t == json_type::number) return std::nullopt;
    if (t == json_type::string) {
      std::string_view s;
      if (!value.get_string().get(s) && (s == "NaN" || s == "Infinity" || s == "-Infinity"))
        return std::nullopt;
      return ValueProblem{
          Level::violation, "kusto.value.real",
          "a real given as a string must be \"NaN\", \"Infinity\" or \"-Infinity\""};
    }
    return wrong_type(type, t, "a number");
  case ScalarType::decimal:
    if (t == json_type::number)
      return ValueProblem{Level::violation, "kusto.value.decimal",
                          "a decimal value must be a string (a JSON number would lose its 128-bit "
                          "precision)"};
    if (t != json_type::string) return wrong_type(type, t, "a string");
    return check_string_form(type, value, is_decimal_text, "kusto.value.decimal",
                             "a decimal number in a string");
  case ScalarType::string:
    if (t != json_type::string) return wrong_type(type, t, "a string");
    return std::nullopt;
  case ScalarType::guid:
    if (t != json_type::string) return wrong_type(type, t, "a string");
    return check_string_form(type, value, ids::is_guid, "kusto.value.guid", "8-4-4-4-12 hex");
  case ScalarType::datetime:
    if (t != json_type::string) return wrong_type(type, t, "a string");
    return check_string_form(type, value, is_datetime, "kusto.value.datetime",
                             "ISO-8601 UTC like 2020-03-04T14:05:01.3109965Z, 0-7 fraction digits");
  case ScalarType::timespan:
    if (t == json_type::number)
      return ValueProblem{Level::warning, "kusto.value.timespan-number",
                          "a timespan given as a number (100-ns ticks) is an old encoding; current "
                          "servers write the .NET \"c\" format, e.g. \"01:23:45.6789000\""};
    if (t != json_type::string) return wrong_type(type, t, "a string");
    return check_string_form(type, value, is_timespan, "kusto.value.timespan",
                             ".NET \"c\" format [-][d.]hh:mm:ss[.fffffff]");
  case ScalarType::dynamic:
    break;
  }
  return std::nullopt;
}

simdjson::error_code read_column_members(simdjson::ondemand::object& column, ColumnMembers& out) {
  for (auto member : column) {
    simdjson::ondemand::field f;
    std::string_view key, s;
    if (auto e = std::move(member).get(f)) return e;
    if (auto e = f.unescaped_key().get(key)) return e;
    if (key == "ColumnName" && !f.value().get_string().get(s)) {
      out.name = s;
      out.has_name = true;
    } else if (key == "ColumnType" && !f.value().get_string().get(s)) {
      out.column_type = s;
      out.has_column_type = true;
    } else if (key == "DataType" && !f.value().get_string().get(s)) {
      out.data_type = s;
      out.has_data_type = true;
    }
  }
  return simdjson::SUCCESS;
}

} // namespace konform::protocol::kusto
