#include "serve/ksql/sql_types.h"

#include "json/writer.h"

namespace konform::serve::ksql {

const char* base_name(BaseType t) {
  switch (t) {
  case BaseType::Boolean:
    return "BOOLEAN";
  case BaseType::Integer:
    return "INTEGER";
  case BaseType::Bigint:
    return "BIGINT";
  case BaseType::Double:
    return "DOUBLE";
  case BaseType::Decimal:
    return "DECIMAL";
  case BaseType::String:
    return "STRING";
  case BaseType::Bytes:
    return "BYTES";
  case BaseType::Timestamp:
    return "TIMESTAMP";
  case BaseType::Date:
    return "DATE";
  case BaseType::Time:
    return "TIME";
  case BaseType::Array:
    return "ARRAY";
  case BaseType::Map:
    return "MAP";
  case BaseType::Struct:
    return "STRUCT";
  }
  return "STRING";
}

std::string SqlType::to_string() const {
  switch (base) {
  case BaseType::Decimal:
    return "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
  case BaseType::Array:
    return "ARRAY<" + params.at(0).to_string() + ">";
  case BaseType::Map:
    return "MAP<" + params.at(0).to_string() + ", " + params.at(1).to_string() + ">";
  case BaseType::Struct: {
    std::string s = "STRUCT<";
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i) s += ", ";
      s += "`" + field_names[i] + "` " + params[i].to_string();
    }
    return s + ">";
  }
  default:
    return base_name(base);
  }
}

bool SqlType::is_numeric() const {
  return base == BaseType::Integer || base == BaseType::Bigint || base == BaseType::Double ||
         base == BaseType::Decimal;
}

bool SqlType::operator==(const SqlType& o) const {
  return base == o.base && precision == o.precision && scale == o.scale && params == o.params &&
         field_names == o.field_names;
}

namespace {

void write_schema(json::Writer& w, const SqlType& t) {
  w.begin_object().field("type", base_name(t.base));
  w.key("fields");
  if (t.base == BaseType::Struct) {
    w.begin_array();
    for (std::size_t i = 0; i < t.params.size(); ++i) {
      w.begin_object().field("name", t.field_names[i]).key("schema");
      write_schema(w, t.params[i]);
      w.end_object();
    }
    w.end_array();
  } else {
    w.null();
  }
  w.key("memberSchema");
  if (t.base == BaseType::Array)
    write_schema(w, t.params.at(0));
  else if (t.base == BaseType::Map)
    write_schema(w, t.params.at(1)); // SchemaInfo keeps only the value type of a MAP
  else
    w.null();
  if (t.base == BaseType::Decimal) // parameters is NON_EMPTY: present for DECIMAL only
    w.key("parameters")
        .begin_object()
        .field("precision", t.precision)
        .field("scale", t.scale)
        .end_object();
  w.end_object();
}

} // namespace

void append_schema_info(std::string& out, const SqlType& type) {
  json::Writer w(out);
  write_schema(w, type);
}

} // namespace konform::serve::ksql
