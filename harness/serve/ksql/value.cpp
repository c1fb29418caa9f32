#include "serve/ksql/value.h"

#include "json/writer.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace konform::serve::ksql {

Value Value::of_bool(bool b) {
  Value v;
  v.kind = Kind::Boolean;
  v.boolean = b;
  return v;
}
Value Value::of_int(std::int64_t i) {
  Value v;
  v.kind = Kind::Int;
  v.integer = i;
  return v;
}
Value Value::of_double(double d) {
  Value v;
  v.kind = Kind::Double;
  v.real = d;
  return v;
}
Value Value::of_decimal(std::string digits) {
  Value v;
  v.kind = Kind::Decimal;
  v.text = std::move(digits);
  return v;
}
Value Value::of_string(std::string s) {
  Value v;
  v.kind = Kind::String;
  v.text = std::move(s);
  return v;
}

double Value::as_double() const {
  switch (kind) {
  case Kind::Int:
    return static_cast<double>(integer);
  case Kind::Double:
    return real;
  case Kind::Decimal:
    return std::strtod(text.c_str(), nullptr);
  default:
    return 0;
  }
}

bool Value::operator==(const Value& o) const {
  return kind == o.kind && boolean == o.boolean && integer == o.integer &&
         (kind != Kind::Double || real == o.real) && text == o.text && items == o.items &&
         names == o.names;
}

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then laid out the way Java does: plain between 1e-3 and 1e7,
  // "computerized scientific notation" (d.dddE±n) outside.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, r.ptr); // e.g. "-1.2345e+07"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  int exponent = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (std::size_t i = 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  std::string out = negative ? "-" : "";
  double mag = std::fabs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    if (exponent >= 0) {
      std::string int_part = digits.substr(0, std::min<std::size_t>(digits.size(), exponent + 1));
      while (static_cast<int>(int_part.size()) < exponent + 1)
        int_part += '0';
      std::string frac = digits.size() > static_cast<std::size_t>(exponent + 1)
                             ? digits.substr(static_cast<std::size_t>(exponent + 1))
                             : "0";
      return out + int_part + "." + frac;
    }
    return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  }
  std::string mantissa = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  return out + mantissa + "E" + std::to_string(exponent);
}

void append_json(std::string& out, const Value& v) {
  switch (v.kind) {
  case Value::Kind::Null:
    out += "null";
    return;
  case Value::Kind::Boolean:
    out += v.boolean ? "true" : "false";
    return;
  case Value::Kind::Int:
    out += std::to_string(v.integer);
    return;
  case Value::Kind::Double:
    if (!std::isfinite(v.real))
      out += '"' + java_double(v.real) + '"'; // Jackson writes NaN/Infinity as strings
    else
      out += java_double(v.real);
    return;
  case Value::Kind::Decimal:
    out += v.text;
    return;
  case Value::Kind::String:
    json::append_quoted(out, v.text);
    return;
  case Value::Kind::Array:
    out += '[';
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      if (i) out += ',';
      append_json(out, v.items[i]);
    }
    out += ']';
    return;
  case Value::Kind::Map:
  case Value::Kind::Struct:
    out += '{';
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      if (i) out += ',';
      json::append_quoted(out, v.names[i]);
      out += ':';
      append_json(out, v.items[i]);
    }
    out += '}';
    return;
  }
}

namespace {

// Rescales a decimal's digits to `scale` places; nullopt if digits would be lost or the
// precision is exceeded.
std::optional<std::string> rescale(const std::string& digits, int precision, int scale) {
  std::string s = digits;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  auto dot = s.find('.');
  std::string int_part = dot == std::string::npos ? s : s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (static_cast<int>(frac.size()) > scale) {
    if (frac.back() != '0') return std::nullopt;
    frac.pop_back();
  }
  while (static_cast<int>(frac.size()) < scale)
    frac += '0';
  while (int_part.size() > 1 && int_part[0] == '0')
    int_part.erase(0, 1);
  int used = static_cast<int>(int_part == "0" ? 0 : int_part.size());
  if (used > precision - scale) return std::nullopt;
  std::string out = (negative ? "-" : "") + int_part;
  if (scale > 0) out += "." + frac;
  return out;
}

std::string format_int_as_decimal(std::int64_t i) {
  return std::to_string(i);
}

} // namespace

std::optional<Value> coerce(const Value& v, const SqlType& type) {
  if (v.is_null()) return v;
  switch (type.base) {
  case BaseType::Boolean:
    if (v.kind == Value::Kind::Boolean) return v;
    return std::nullopt;
  case BaseType::Integer:
    if (v.kind == Value::Kind::Int && v.integer >= INT32_MIN && v.integer <= INT32_MAX) return v;
    return std::nullopt;
  case BaseType::Bigint:
    if (v.kind == Value::Kind::Int) return v;
    return std::nullopt;
  case BaseType::Double:
    if (v.is_number()) return Value::of_double(v.as_double());
    return std::nullopt;
  case BaseType::Decimal: {
    std::string digits;
    if (v.kind == Value::Kind::Int)
      digits = format_int_as_decimal(v.integer);
    else if (v.kind == Value::Kind::Decimal)
      digits = v.text;
    else
      return std::nullopt;
    auto scaled = rescale(digits, type.precision, type.scale);
    if (!scaled) return std::nullopt;
    return Value::of_decimal(*scaled);
  }
  case BaseType::String:
  case BaseType::Timestamp:
  case BaseType::Date:
  case BaseType::Time:
  case BaseType::Bytes:
    if (v.kind == Value::Kind::String) return v;
    if (type.base == BaseType::Timestamp && v.kind == Value::Kind::Int) return v;
    return std::nullopt;
  case BaseType::Array: {
    if (v.kind != Value::Kind::Array) return std::nullopt;
    Value out = v;
    for (auto& item : out.items) {
      auto c = coerce(item, type.params.at(0));
      if (!c) return std::nullopt;
      item = std::move(*c);
    }
    return out;
  }
  case BaseType::Map: {
    if (v.kind != Value::Kind::Map) return std::nullopt;
    Value out = v;
    for (auto& item : out.items) {
      auto c = coerce(item, type.params.at(1));
      if (!c) return std::nullopt;
      item = std::move(*c);
    }
    return out;
  }
  case BaseType::Struct: {
    if (v.kind != Value::Kind::Struct) return std::nullopt;
    // Fields are matched case-insensitively by name; missing fields become null and the
    // output follows the declared order (as the server serialises a Struct).
    Value out;
    out.kind = Value::Kind::Struct;
    for (std::size_t f = 0; f < type.params.size(); ++f) {
      Value field_value;
      for (std::size_t i = 0; i < v.names.size(); ++i) {
        std::string a = v.names[i], b = type.field_names[f];
        bool same = a.size() == b.size();
        for (std::size_t k = 0; same && k < a.size(); ++k)
          same = std::toupper(static_cast<unsigned char>(a[k])) ==
                 std::toupper(static_cast<unsigned char>(b[k]));
        if (same) {
          auto c = coerce(v.items[i], type.params[f]);
          if (!c) return std::nullopt;
          field_value = std::move(*c);
        }
      }
      out.names.push_back(type.field_names[f]);
      out.items.push_back(std::move(field_value));
    }
    return out;
  }
  }
  return std::nullopt;
}

std::string literal_type_name(const Value& v) {
  switch (v.kind) {
  case Value::Kind::Null:
    return "null";
  case Value::Kind::Boolean:
    return "BOOLEAN";
  case Value::Kind::Int:
    return v.integer >= INT32_MIN && v.integer <= INT32_MAX ? "INTEGER" : "BIGINT";
  case Value::Kind::Double:
    return "DOUBLE";
  case Value::Kind::Decimal: {
    auto dot = v.text.find('.');
    std::string digits;
    for (char c : v.text)
      if (c >= '0' && c <= '9') digits += c;
    int scale = dot == std::string::npos ? 0 : static_cast<int>(v.text.size() - dot - 1);
    return "DECIMAL(" + std::to_string(digits.size()) + ", " + std::to_string(scale) + ")";
  }
  case Value::Kind::String:
    return "STRING";
  case Value::Kind::Array:
    return "ARRAY";
  case Value::Kind::Map:
    return "MAP";
  case Value::Kind::Struct:
    return "STRUCT";
  }
  return "STRING";
}

std::string sql_text(const Value& v) {
  switch (v.kind) {
  case Value::Kind::Null:
    return "null";
  case Value::Kind::String:
    return "'" + v.text + "'";
  case Value::Kind::Boolean:
    return v.boolean ? "true" : "false";
  case Value::Kind::Int:
    return std::to_string(v.integer);
  case Value::Kind::Double:
    return java_double(v.real);
  case Value::Kind::Decimal:
    return v.text;
  default: {
    std::string s;
    append_json(s, v);
    return s;
  }
  }
}

std::optional<int> compare(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  if (a.kind == Value::Kind::Int && b.kind == Value::Kind::Int)
    return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
  if (a.is_number() && b.is_number()) {
    double x = a.as_double(), y = b.as_double();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind == Value::Kind::String && b.kind == Value::Kind::String)
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  if (a.kind == Value::Kind::Boolean && b.kind == Value::Kind::Boolean)
    return a.boolean == b.boolean ? 0 : a.boolean ? 1 : -1;
  if (a == b) return 0;
  return std::nullopt;
}

} // namespace konform::serve::ksql
