#pragma once
// A SQL value held by the in-memory database, and its JSON form in /query rows (ApiJsonMapper:
// numbers as numbers, DOUBLE in Java's Double.toString form, DECIMAL as a plain number with its
// scale, STRUCT/MAP as objects).
#include "serve/ksql/sql_types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace konform::serve::ksql {

struct Value {
  enum class Kind { Null, Boolean, Int, Double, Decimal, String, Array, Map, Struct };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;               // STRING, or the plain digits of a DECIMAL ("12.30")
  std::vector<Value> items;       // ARRAY elements, MAP values, STRUCT field values
  std::vector<std::string> names; // MAP keys, STRUCT field names

  static Value null() { return {}; }
  static Value of_bool(bool b);
  static Value of_int(std::int64_t i);
  static Value of_double(double d);
  static Value of_decimal(std::string digits);
  static Value of_string(std::string s);

  bool is_null() const { return kind == Kind::Null; }
  bool is_number() const {
    return kind == Kind::Int || kind == Kind::Double || kind == Kind::Decimal;
  }
  double as_double() const;
  bool operator==(const Value& o) const;
};

// Java's Double.toString: "234.0", "1.23", "1.0E10", "1.0E-5".
std::string java_double(double d);

// Appends the JSON form of v.
void append_json(std::string& out, const Value& v);

// Converts a literal to a column's type the way INSERT VALUES coerces (INT literal into BIGINT,
// DOUBLE or DECIMAL; DECIMAL literal into DOUBLE). nullopt when the value does not fit the type.
std::optional<Value> coerce(const Value& v, const SqlType& type);

// The SQL type name of a literal for error messages ("INTEGER", "STRING", "DECIMAL(2, 1)").
std::string literal_type_name(const Value& v);

// The value as SQL text ("'a'", "10", "1.5", "null"), for error messages.
std::string sql_text(const Value& v);

// -1, 0, 1; nullopt when the two are not comparable (different kinds, or a null).
std::optional<int> compare(const Value& a, const Value& b);

} // namespace konform::serve::ksql
