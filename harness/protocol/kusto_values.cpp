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

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number_at(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i)
    v = v * 10 + (s[i] - '0');
  return v;
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
  if (s.size() < 20 || s.back() != 'Z') return false;
  if (!digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2) ||
      s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' ||
      !digits(s, 17, 2))
    return false;
  int month = number_at(s, 5, 2), day = number_at(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || number_at(s, 11, 2) > 23 ||
      number_at(s, 14, 2) > 59 || number_at(s, 17, 2) > 59 || number_at(s, 0, 4) < 1)
    return false;
  std::size_t rest = s.size() - 1 - 19; // between seconds and 'Z'
  if (rest == 0) return true;
  return s[19] == '.' && rest >= 2 && rest <= 8 && digits(s, 20, rest - 1);
}

bool is_timespan(std::string_view s) {
  // [-][d.]hh:mm:ss[.fffffff]
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t colon = s.find(':', i);
  if (colon == std::string_view::npos) return false;
  std::size_t dot = s.find('.', i);
  if (dot != std::string_view::npos && dot < colon) { // days
    if (dot == i || !digits(s, i, dot - i) || dot - i > 8) return false;
    i = dot + 1;
  }
  if (!digits(s, i, 2) || s.size() < i + 8 || s[i + 2] != ':' || !digits(s, i + 3, 2) ||
      s[i + 5] != ':' || !digits(s, i + 6, 2))
    return false;
  if (number_at(s, i, 2) > 23 || number_at(s, i + 3, 2) > 59 || number_at(s, i + 6, 2) > 59)
    return false;
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

// The raw bytes between the quotes when the value is a string (nothing is consumed otherwise).
bool raw_string(simdjson::ondemand::value& value, std::string_view& out) {
  simdjson::ondemand::raw_json_string raw;
  if (value.get_raw_json_string().get(raw)) return false;
  const char* end = raw.raw();
  while (*end != '"')
    ++end;
  out = std::string_view(raw.raw(), static_cast<std::size_t>(end - raw.raw()));
  return true;
}

std::optional<ValueProblem> check_value(ScalarType type, simdjson::ondemand::value value, bool v1) {
  // Fast paths for well-formed values: one on-demand call instead of type() and then a getter.
  // A failed getter consumes nothing, so the full checks below still see the value.
  std::int64_t fast_n = 0;
  std::string_view fast_s;
  switch (type) {
  case ScalarType::int64:
    if (!value.get_int64().get(fast_n)) return std::nullopt;
    break;
  case ScalarType::int32:
    if (!value.get_int64().get(fast_n) && fast_n >= std::numeric_limits<std::int32_t>::min() &&
        fast_n <= std::numeric_limits<std::int32_t>::max())
      return std::nullopt;
    break;
  case ScalarType::guid:
    if (raw_string(value, fast_s)) {
      if (ids::is_guid(fast_s)) return std::nullopt;
      return ValueProblem{Level::violation, "kusto.value.guid",
                          "\"" + std::string(fast_s.substr(0, 64)) +
                              "\" is not a valid guid (8-4-4-4-12 hex)"};
    }
    break;
  case ScalarType::datetime:
    if (raw_string(value, fast_s)) {
      if (is_datetime(fast_s)) return std::nullopt;
      return ValueProblem{Level::violation, "kusto.value.datetime",
                          "\"" + std::string(fast_s.substr(0, 64)) +
                              "\" is not a valid datetime (ISO-8601 UTC like "
                              "2020-03-04T14:05:01.3109965Z, 0-7 fraction digits)"};
    }
    break;
  default:
    break;
  }
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
