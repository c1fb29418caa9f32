#include "serve/kusto/cluster/value.h"

#include "core/ids.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace konform::serve::kusto::cluster {
namespace {

// Days between 0001-01-01 and 1970-01-01 in the proleptic Gregorian calendar.
constexpr std::int64_t epoch_offset_days = 719162;

// Howard Hinnant's days_from_civil / civil_from_days (days relative to 1970-01-01).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// Reads exactly n digits at pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, std::int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    char c = s[pos + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

// ".fffffff" (1 to 7 digits, more are truncated): the fraction of a second in ticks.
bool fraction(std::string_view s, std::size_t& pos, std::int64_t& ticks) {
  ticks = 0;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  std::size_t n = 0;
  std::int64_t scale = 1'000'000;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (n < 7) {
      ticks += (s[pos] - '0') * scale;
      scale /= 10;
    }
    ++n;
    ++pos;
  }
  return n > 0;
}

bool is_decimal_text(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool any = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      any = true;
    else if (s[i] == '.' && !dot)
      dot = true;
    else if ((s[i] == 'e' || s[i] == 'E') && any)
      return text::parse_double(s).has_value();
    else
      return false;
  }
  return any;
}

} // namespace

std::string_view type_name(Type t) {
  switch (t) {
  case Type::boolean:
    return "bool";
  case Type::int32:
    return "int";
  case Type::int64:
    return "long";
  case Type::real:
    return "real";
  case Type::decimal:
    return "decimal";
  case Type::string:
    return "string";
  case Type::datetime:
    return "datetime";
  case Type::timespan:
    return "timespan";
  case Type::guid:
    return "guid";
  case Type::dynamic:
    return "dynamic";
  }
  return "string";
}

std::string_view dotnet_name(Type t) {
  switch (t) {
  case Type::boolean:
    return "SByte";
  case Type::int32:
    return "Int32";
  case Type::int64:
    return "Int64";
  case Type::real:
    return "Double";
  case Type::decimal:
    return "SqlDecimal";
  case Type::string:
    return "String";
  case Type::datetime:
    return "DateTime";
  case Type::timespan:
    return "TimeSpan";
  case Type::guid:
    return "Guid";
  case Type::dynamic:
    return "Object";
  }
  return "String";
}

std::optional<Type> parse_type(std::string_view n) {
  struct Alias {
    const char* name;
    Type type;
  };
  static constexpr Alias aliases[] = {
      {"bool", Type::boolean},      {"boolean", Type::boolean},    {"sbyte", Type::boolean},
      {"int", Type::int32},         {"int32", Type::int32},        {"long", Type::int64},
      {"int64", Type::int64},       {"real", Type::real},          {"double", Type::real},
      {"decimal", Type::decimal},   {"sqldecimal", Type::decimal}, {"string", Type::string},
      {"datetime", Type::datetime}, {"date", Type::datetime},      {"timespan", Type::timespan},
      {"time", Type::timespan},     {"guid", Type::guid},          {"uuid", Type::guid},
      {"uniqueid", Type::guid},     {"dynamic", Type::dynamic},    {"object", Type::dynamic},
  };
  for (const auto& a : aliases)
    if (text::iequals(n, a.name)) return a.type;
  return std::nullopt;
}

std::optional<std::int64_t> parse_datetime(std::string_view s) {
  s = text::trim(s);
  std::size_t pos = 0;
  std::int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac = 0;
  if (!digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, mo) ||
      pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, d))
    return std::nullopt;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, mi))
      return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!digits(s, pos, 2, sec) || !fraction(s, pos, frac)) return std::nullopt;
    }
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size() || y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 59)
    return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  // Reject dates like 2021-02-30 that the arithmetic would silently roll over.
  std::int64_t cy;
  unsigned cm, cd;
  civil_from_days(days, cy, cm, cd);
  if (cy != y || cm != mo || cd != d) return std::nullopt;
  return (days + epoch_offset_days) * ticks_per_day +
         ((h * 60 + mi) * 60 + sec) * ticks_per_second + frac;
}

std::optional<std::int64_t> parse_timespan(std::string_view s) {
  s = text::trim(s);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::size_t pos = 0;
  if (s[0] == '-') {
    negative = true;
    ++pos;
  }
  // KQL literal: a number followed by a unit.
  static constexpr std::pair<const char*, std::int64_t> units[] = {{"ms", ticks_per_second / 1000},
                                                                   {"microsecond", 10},
                                                                   {"tick", 1},
                                                                   {"d", ticks_per_day},
                                                                   {"h", 3600 * ticks_per_second},
                                                                   {"m", 60 * ticks_per_second},
                                                                   {"s", ticks_per_second}};
  for (const auto& [unit, scale] : units) {
    std::string_view u(unit);
    if (s.size() > pos + u.size() && s.substr(s.size() - u.size()) == u) {
      auto number = text::parse_double(s.substr(pos, s.size() - pos - u.size()));
      if (!number) continue;
      auto ticks = static_cast<std::int64_t>(std::llround(*number * static_cast<double>(scale)));
      return negative ? -ticks : ticks;
    }
  }
  // .NET "c" format: [d.]hh:mm:ss[.fffffff]
  std::int64_t days = 0, h = 0, mi = 0, sec = 0, frac = 0;
  auto colon = s.find(':', pos);
  auto dot = s.find('.', pos);
  if (colon == std::string_view::npos) return std::nullopt;
  if (dot != std::string_view::npos && dot < colon) {
    auto d = text::parse_int(s.substr(pos, dot - pos));
    if (!d || *d < 0) return std::nullopt;
    days = *d;
    pos = dot + 1;
  }
  auto hour_len = colon - pos;
  if (hour_len < 1 || hour_len > 2 || !digits(s, pos, hour_len, h) || s[pos++] != ':' ||
      !digits(s, pos, 2, mi))
    return std::nullopt;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!digits(s, pos, 2, sec) || !fraction(s, pos, frac)) return std::nullopt;
  }
  if (pos != s.size() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::int64_t ticks = days * ticks_per_day + ((h * 60 + mi) * 60 + sec) * ticks_per_second + frac;
  return negative ? -ticks : ticks;
}

namespace {

char* two_digits(char* p, std::uint64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// hh:mm:ss of a second count below one day (datetime and timespan share it).
char* clock_digits(char* p, std::uint64_t secs) {
  p = two_digits(p, secs / 3600);
  *p++ = ':';
  p = two_digits(p, secs / 60 % 60);
  *p++ = ':';
  return two_digits(p, secs % 60);
}

// ".fffffff" with 7 digits; `trim` drops trailing zeros (frac != 0).
char* fraction_digits(char* p, std::uint64_t frac, bool trim) {
  *p++ = '.';
  char digits[7];
  for (int k = 6; k >= 0; --k) {
    digits[k] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int n = 7;
  if (trim)
    while (n > 0 && digits[n - 1] == '0')
      --n;
  for (int k = 0; k < n; ++k)
    *p++ = digits[k];
  return p;
}

} // namespace

void append_datetime(std::string& out, std::int64_t ticks) {
  std::int64_t days = ticks / ticks_per_day;
  std::int64_t rest = ticks % ticks_per_day;
  if (rest < 0) {
    rest += ticks_per_day;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days - epoch_offset_days, y, m, d);
  auto secs = static_cast<std::uint64_t>(rest / ticks_per_second);
  auto frac = static_cast<std::uint64_t>(rest % ticks_per_second);
  char buf[64];
  char* p = buf;
  if (y >= 0 && y <= 9999) {
    auto year = static_cast<std::uint64_t>(y);
    p = two_digits(p, year / 100);
    p = two_digits(p, year % 100);
  } else {
    int n = std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    p = buf + n;
  }
  *p++ = '-';
  p = two_digits(p, m);
  *p++ = '-';
  p = two_digits(p, d);
  *p++ = 'T';
  p = clock_digits(p, secs);
  // Modern servers print 0-7 fraction digits: trailing zeros are trimmed.
  if (frac != 0) p = fraction_digits(p, frac, true);
  *p++ = 'Z';
  out.append(buf, p);
}

std::string format_datetime(std::int64_t ticks) {
  std::string out;
  append_datetime(out, ticks);
  return out;
}

void append_timespan(std::string& out, std::int64_t ticks) {
  std::uint64_t t;
  char buf[64];
  char* p = buf;
  if (ticks < 0) {
    *p++ = '-';
    t = static_cast<std::uint64_t>(-(ticks + 1)) + 1; // no overflow for INT64_MIN
  } else {
    t = static_cast<std::uint64_t>(ticks);
  }
  auto day = static_cast<std::uint64_t>(ticks_per_day);
  auto second = static_cast<std::uint64_t>(ticks_per_second);
  std::uint64_t days = t / day;
  std::uint64_t rest = t % day;
  std::uint64_t secs = rest / second;
  std::uint64_t frac = rest % second;
  if (days > 0) {
    p = std::to_chars(p, buf + sizeof buf, days).ptr;
    *p++ = '.';
  }
  p = clock_digits(p, secs);
  if (frac != 0) p = fraction_digits(p, frac, false);
  out.append(buf, p);
}

std::string format_timespan(std::int64_t ticks) {
  std::string out;
  append_timespan(out, ticks);
  return out;
}

std::int64_t now_ticks() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  auto hundred_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count() / 100;
  return epoch_offset_days * ticks_per_day + hundred_ns;
}

Result<Value> parse_value(Type t, std::string_view raw) {
  if (t == Type::string) return Value::of_text(std::string(raw));
  std::string_view s = text::trim(raw);
  if (s.empty() || s == "null") return Value::null();
  auto bad = [&](const char* expected) {
    return make_error("'" + std::string(s) + "' is not a valid " + std::string(type_name(t)) +
                      " (expected " + expected + ")");
  };
  switch (t) {
  case Type::boolean:
    if (text::iequals(s, "true") || s == "1") return Value::of_int(1);
    if (text::iequals(s, "false") || s == "0") return Value::of_int(0);
    return bad("true, false, 1 or 0");
  case Type::int32: {
    auto v = text::parse_int(s);
    if (!v || *v < INT32_MIN || *v > INT32_MAX) return bad("a 32-bit integer");
    return Value::of_int(*v);
  }
  case Type::int64: {
    auto v = text::parse_int(s);
    if (!v) return bad("a 64-bit integer");
    return Value::of_int(*v);
  }
  case Type::real: {
    if (s == "NaN") return Value::of_real(std::nan(""));
    if (s == "Infinity" || s == "+Infinity") return Value::of_real(HUGE_VAL);
    if (s == "-Infinity") return Value::of_real(-HUGE_VAL);
    auto v = text::parse_double(s[0] == '+' ? s.substr(1) : s);
    if (!v) return bad("a number such as 1.5, 2e10, NaN or Infinity");
    return Value::of_real(*v);
  }
  case Type::decimal:
    if (!is_decimal_text(s)) return bad("a decimal number such as 2.5");
    return Value::of_text(std::string(s[0] == '+' ? s.substr(1) : s));
  case Type::datetime: {
    auto v = parse_datetime(s);
    if (!v) return bad("ISO 8601 such as 2007-01-01T00:00:00Z");
    return Value::of_int(*v);
  }
  case Type::timespan: {
    auto v = parse_timespan(s);
    if (!v) return bad("[d.]hh:mm:ss[.fffffff] or a literal such as 1d, 2h, 30m, 10s");
    return Value::of_int(*v);
  }
  case Type::guid:
    if (!ids::is_guid(s)) return bad("8-4-4-4-12 hexadecimal digits");
    return Value::of_text(text::to_lower(s));
  case Type::dynamic: {
    auto doc = json::Document::parse(s);
    if (doc) return Value::of_text(json::compact(doc->root()));
    // Kusto keeps text that is not JSON as a dynamic string.
    std::string quoted;
    json::append_quoted(quoted, s);
    return Value::of_text(std::move(quoted));
  }
  case Type::string:
    break;
  }
  return Value::of_text(std::string(s));
}

void append_json(std::string& out, Type t, const Value& v) {
  if (t == Type::string) {
    json::append_quoted(out, v.s);
    return;
  }
  if (v.is_null) {
    out += "null";
    return;
  }
  char buf[40];
  switch (t) {
  case Type::boolean:
    out += v.i != 0 ? "true" : "false";
    return;
  case Type::int32:
  case Type::int64: {
    auto r = std::to_chars(buf, buf + sizeof buf, v.i);
    out.append(buf, r.ptr);
    return;
  }
  case Type::real: {
    if (std::isnan(v.r)) {
      out += "\"NaN\"";
      return;
    }
    if (std::isinf(v.r)) {
      out += v.r > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      return;
    }
    auto r = std::to_chars(buf, buf + sizeof buf, v.r);
    std::string_view num(buf, static_cast<std::size_t>(r.ptr - buf));
    out += num;
    // The service writes whole reals with ".0" (21.0, 800.0 in real recordings).
    if (num.find_first_of(".eE") == std::string_view::npos) out += ".0";
    return;
  }
  case Type::datetime:
    out += '"';
    append_datetime(out, v.i);
    out += '"';
    return;
  case Type::timespan:
    out += '"';
    append_timespan(out, v.i);
    out += '"';
    return;
  case Type::decimal:
  case Type::guid:
    json::append_quoted(out, v.s);
    return;
  case Type::dynamic:
    out += v.s;
    return;
  case Type::string:
    break;
  }
}

int compare(Type t, const Value& a, const Value& b) {
  if (a.is_null || b.is_null) return a.is_null == b.is_null ? 0 : (a.is_null ? -1 : 1);
  switch (t) {
  case Type::real:
    return a.r < b.r ? -1 : (a.r > b.r ? 1 : 0);
  case Type::decimal: {
    double x = text::parse_double(a.s).value_or(0), y = text::parse_double(b.s).value_or(0);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  case Type::string:
  case Type::guid:
  case Type::dynamic:
    return a.s.compare(b.s) < 0 ? -1 : (a.s == b.s ? 0 : 1);
  default:
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
}

} // namespace konform::serve::kusto::cluster
