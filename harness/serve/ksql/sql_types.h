#pragma once
// ksqlDB SQL types as the server prints them: in header schemas ("`K` STRING KEY"), in DESCRIBE
// (SchemaInfo JSON) and in normalised statement text ("DECIMAL(12, 2)", "ARRAY<INTEGER>").
#include <string>
#include <vector>

namespace konform::serve::ksql {

enum class BaseType {
  Boolean,
  Integer,
  Bigint,
  Double,
  Decimal,
  String,
  Bytes,
  Timestamp,
  Date,
  Time,
  Array,
  Map,
  Struct,
};

struct SqlType {
  BaseType base = BaseType::String;
  int precision = 0; // DECIMAL only
  int scale = 0;
  std::vector<SqlType> params;          // ARRAY: [element]; MAP: [key, value]; STRUCT: fields
  std::vector<std::string> field_names; // STRUCT field names, as declared

  // "INTEGER", "DECIMAL(12, 2)", "MAP<STRING, BIGINT>", "STRUCT<`F` INTEGER>".
  std::string to_string() const;
  bool is_numeric() const;
  bool operator==(const SqlType& other) const;
};

// The upper-case base name SchemaInfo uses ("STRING", "ARRAY", ...).
const char* base_name(BaseType t);

// Appends the DESCRIBE SchemaInfo object: {"type":..,"fields":..,"memberSchema":..[,"parameters"]}.
void append_schema_info(std::string& out, const SqlType& type);

} // namespace konform::serve::ksql
