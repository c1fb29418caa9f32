#pragma once
// The ten Kusto scalar types, one cell value, and their exact JSON encodings (Kusto docs,
// scalar-data-types):
// long never goes through double, decimal and guid are strings, datetime keeps 0-7 fraction
// digits, timespan uses the .NET "c" format, dynamic is inline JSON.
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace konform::serve::kusto::cluster {

enum class Type { boolean, int32, int64, real, decimal, string, datetime, timespan, guid, dynamic };

// The Kusto name ("bool", "int", "long", ...), as in v2 ColumnType and v1 ColumnType.
std::string_view type_name(Type t);
// The .NET name that v1 puts in DataType ("SByte", "Int32", "Int64", "Double", ...).
std::string_view dotnet_name(Type t);
// Accepts the Kusto names, their aliases (boolean, date, time, uuid, uniqueid, double) and the
// .NET names (case-insensitive).
std::optional<Type> parse_type(std::string_view name);

// One cell. Which member is meaningful depends on the column's type:
//   i — bool (0/1), int, long, datetime and timespan (100-ns ticks; datetime from 0001-01-01)
//   r — real
//   s — string, decimal (canonical text), guid (lower-case), dynamic (compact JSON text)
// Strings are never null in Kusto: an empty string is "".
struct Value {
  bool is_null = true;
  std::int64_t i = 0;
  double r = 0;
  std::string s;

  static Value null() { return {}; }
  static Value of_int(std::int64_t v) { return {false, v, 0, {}}; }
  static Value of_real(double v) { return {false, 0, v, {}}; }
  static Value of_text(std::string v) { return {false, 0, 0, std::move(v)}; }
  bool operator==(const Value&) const = default;
};

constexpr std::int64_t ticks_per_second = 10'000'000;
constexpr std::int64_t ticks_per_day = 86'400 * ticks_per_second;

// Parses the text form of a value (CSV field, string inside a KQL literal like datetime(...)).
// Empty text is null for every type but string. The error says what was expected.
Result<Value> parse_value(Type t, std::string_view text);

std::optional<std::int64_t> parse_datetime(std::string_view text);
// "[-][d.]hh:mm:ss[.fffffff]" or a KQL timespan literal ("1d", "2h", "30m", "10s", "100ms").
std::optional<std::int64_t> parse_timespan(std::string_view text);
std::string format_datetime(std::int64_t ticks);
std::string format_timespan(std::int64_t ticks);
// The same, appended to out (no temporary string).
void append_datetime(std::string& out, std::int64_t ticks);
void append_timespan(std::string& out, std::int64_t ticks);
// Current UTC time in ticks.
std::int64_t now_ticks();

// Appends the JSON encoding of v as a value of type t.
void append_json(std::string& out, Type t, const Value& v);

// Three-way comparison of two values of the same type (nulls first); used by where.
int compare(Type t, const Value& a, const Value& b);

} // namespace konform::serve::kusto::cluster
