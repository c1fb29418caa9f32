#pragma once
// Kusto scalar types and their JSON encodings, shared by the v1 and v2 validators: bool, int,
// long (full int64), real (NaN/Infinity as strings), decimal/guid/datetime/timespan as strings,
// dynamic inline; every type but string may be null. Values are checked straight from
// simdjson's on-demand API so that a gigabyte result is validated in one pass without a DOM.
#include "protocol/validate.h"

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace konform::protocol::kusto {

enum class ScalarType {
  boolean,
  int32,
  int64,
  real,
  decimal,
  string,
  guid,
  datetime,
  timespan,
  dynamic
};

std::string_view to_string(ScalarType type);

// The members of one column object as written ({ColumnName, ColumnType[, DataType]}); v1 and v2
// read columns alike and differ only in what they require.
struct ColumnMembers {
  std::string name, column_type, data_type;
  bool has_name = false, has_column_type = false, has_data_type = false;
};
// Reads the string members of a column object; a non-SUCCESS code means the JSON is malformed.
simdjson::error_code read_column_members(simdjson::ondemand::object& column, ColumnMembers& out);

// A ColumnType name, aliases included (date, time, boolean, double, uuid, uniqueid).
std::optional<ScalarType> type_from_column_type(std::string_view name);
// A v1 DataType (.NET type name, with or without the "System." prefix): String, DateTime, Int32,
// Int64, Double, SByte, Boolean, Guid, TimeSpan, Object, SqlDecimal, Decimal.
std::optional<ScalarType> type_from_data_type(std::string_view name);

// Text forms (the strings inside the JSON quotes).
bool is_datetime(std::string_view s); // ISO-8601 UTC, 'Z', 0–7 fraction digits
bool is_timespan(std::string_view s); // .NET "c": [-][d.]hh:mm:ss[.f{1,7}]
bool is_decimal_text(std::string_view s);

// What is wrong with one value, when something is.
struct ValueProblem {
  Level level = Level::violation;
  std::string_view rule;
  std::string message;
};

// Checks one cell against its column type. `v1` allows the v1-only bool encoding 0/1.
// The value may be left unconsumed (the enclosing iteration skips it). Taken by reference: a
// by-value copy per cell stalled on store forwarding.
std::optional<ValueProblem> check_value(ScalarType type, simdjson::ondemand::value& value, bool v1);

} // namespace konform::protocol::kusto
