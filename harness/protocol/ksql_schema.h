#pragma once
// ksqlDB column schemas as they appear in query headers: the StreamedRow header's `schema` string
// ("`A` INTEGER KEY, `B` STRUCT<`X` INT, `Y` STRING>") and the /query-stream metadata's
// columnTypes. Used to check row width and the JSON type of each value (ksqlDB's ApiJsonMapper:
// BIGINT/INT/DOUBLE/DECIMAL as numbers, TIMESTAMP/DATE/TIME and BYTES (base64) as strings, ARRAY
// as arrays, MAP/STRUCT as objects; the same in every server generation).
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::protocol::ksql {

struct SchemaColumn {
  std::string name;
  std::string type; // base type, upper case: BIGINT, STRING, ARRAY, STRUCT, ...
};

// Splits a header schema at top-level commas; nullopt when it is malformed (unbalanced < > or
// backticks, an entry without a type).
std::optional<std::vector<SchemaColumn>> parse_schema(std::string_view schema);

// The base type of a columnTypes entry ("ARRAY<STRING>" → "ARRAY").
std::string base_type(std::string_view type);

// Empty when `value` fits `type` (null fits everything; unknown types accept anything), else what
// was expected ("a number").
std::string_view type_mismatch(std::string_view base_type, simdjson::dom::element value);

} // namespace konform::protocol::ksql
