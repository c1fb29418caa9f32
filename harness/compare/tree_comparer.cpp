#include "compare/tree_comparer.h"

#include "compare/matchers.h"
#include "compare/tape.h"
#include "core/ids.h"
#include "core/text.h"
#include "json/writer.h"

#include <array>
#include <cmath>
#include <cstring>
#include <functional>

namespace konform::compare {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

constexpr std::size_t kExcerptLimit = 300;
// Two differing strings keep this much each, so the report can point at a first difference far
// into a long value (a statementText, a CSV blob); the message keeps the short excerpt.
constexpr std::size_t kStringKeepLimit = 16 * 1024;

bool is_number(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

std::string_view type_name(element_type t) {
  switch (t) {
  case element_type::OBJECT:
    return "an object";
  case element_type::ARRAY:
    return "an array";
  case element_type::STRING:
    return "a string";
  case element_type::INT64:
  case element_type::UINT64:
  case element_type::DOUBLE:
    return "a number";
  case element_type::BOOL:
    return "a boolean";
  case element_type::NULL_VALUE:
    return "null";
  }
  return "a value";
}

// 2^63 and 2^64 are exact doubles: the bounds of int64/uint64 seen from a double.
constexpr double kTwo63 = 9223372036854775808.0;
constexpr double kTwo64 = 18446744073709551616.0;

bool double_is_int(double d, std::int64_t i) {
  if (!(d >= -kTwo63 && d < kTwo63) || std::trunc(d) != d) return false;
  return static_cast<std::int64_t>(d) == i;
}

bool double_is_uint(double d, std::uint64_t u) {
  if (!(d >= 0 && d < kTwo64) || std::trunc(d) != d) return false;
  return static_cast<std::uint64_t>(d) == u;
}

double as_double(element v) {
  switch (v.type()) {
  case element_type::INT64:
    return static_cast<double>(v.get_int64().value_unsafe());
  case element_type::UINT64:
    return static_cast<double>(v.get_uint64().value_unsafe());
  default:
    return v.get_double().value_unsafe();
  }
}

// Exact numeric equality across int64/uint64/double, never rounding an integer through a
// double (9223372036854775807 and 9223372036854775806 differ).
bool numbers_equal(element e, element a) {
  element_type te = e.type();
  element_type ta = a.type();
  if (te == ta) {
    switch (te) {
    case element_type::INT64:
      return e.get_int64().value_unsafe() == a.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe() == a.get_uint64().value_unsafe();
    default:
      return e.get_double().value_unsafe() == a.get_double().value_unsafe();
    }
  }
  if (te == element_type::DOUBLE || ta == element_type::DOUBLE) {
    element d = te == element_type::DOUBLE ? e : a;
    element n = te == element_type::DOUBLE ? a : e;
    double dv = d.get_double().value_unsafe();
    return n.type() == element_type::INT64 ? double_is_int(dv, n.get_int64().value_unsafe())
                                           : double_is_uint(dv, n.get_uint64().value_unsafe());
  }
  // int64 against uint64: equal only when the signed one is non-negative.
  std::int64_t i =
      te == element_type::INT64 ? e.get_int64().value_unsafe() : a.get_int64().value_unsafe();
  std::uint64_t u =
      te == element_type::UINT64 ? e.get_uint64().value_unsafe() : a.get_uint64().value_unsafe();
  return i >= 0 && static_cast<std::uint64_t>(i) == u;
}

bool is_kusto(protocol::Kind k) {
  return k == protocol::Kind::kusto_v1 || k == protocol::Kind::kusto_v2 ||
         k == protocol::Kind::kusto_error || k == protocol::Kind::kusto_ingest;
}

bool is_ksql(protocol::Kind k) {
  return k == protocol::Kind::ksql_entities || k == protocol::Kind::ksql_error ||
         k == protocol::Kind::ksql_stream;
}

// Members whose values a Kusto server generates per request, at any depth (error bodies,
// DataSetCompletion.OneApiErrors, @context).
constexpr std::array<std::string_view, 7> kKustoIds{
    "ActivityId",      "RequestId",        "SubActivityId", "ParentActivityId",
    "ClientRequestId", "ClientActivityId", "ActivityStack"};
// Inside an error's "@context": where and when the request ran.
constexpr std::array<std::string_view, 6> kKustoContext{"timestamp", "machineName", "processName",
                                                        "processId", "threadId",    "serviceAlias"};

bool any_iequals(std::string_view key, const auto& names) {
  for (std::string_view n : names)
    if (text::iequals(key, n)) return true;
  return false;
}

// Replaces every GUID-shaped substring by a marker, so "cluster/<uuid>/alter" compares by shape.
std::string mask_guids(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 36 <= s.size() && ids::is_guid(s.substr(i, 36))) {
      out += "<guid>";
      i += 36;
    } else {
      out += s[i++];
    }
  }
  return out;
}

} // namespace

Result<CompiledRules> compile(const Rules& rules) {
  CompiledRules c;
  if (!(rules.numeric_tolerance >= 0) || !std::isfinite(rules.numeric_tolerance))
    return make_error("numeric_tolerance must be a finite number >= 0, got " +
                          std::to_string(rules.numeric_tolerance),
                      ErrorKind::rules);
  c.numeric_tolerance = rules.numeric_tolerance;
  c.protocol_defaults = rules.protocol_defaults;
  auto add = [](std::vector<Pattern>& into, const std::string& path,
                std::string_view rule) -> Status {
    auto p = Pattern::parse(path);
    if (!p) return make_error(std::string(rule) + ": " + p.error().message, ErrorKind::rules);
    into.push_back(std::move(*p));
    return Ok{};
  };
  for (const auto& p : rules.ignore)
    if (auto s = add(c.ignore, p, "ignore"); !s) return s.error();
  for (const auto& p : rules.unordered)
    if (auto s = add(c.unordered, p, "unordered"); !s) return s.error();
  for (const auto& [path, m] : rules.matchers) {
    auto p = Pattern::parse(path);
    if (!p) return make_error("matchers: " + p.error().message, ErrorKind::rules);
    c.matchers.emplace_back(std::move(*p), m);
  }
  c.has_path_rules = !c.ignore.empty() || !c.unordered.empty() || !c.matchers.empty();
  return c;
}

CompiledRules compile_lenient(const Rules& rules) {
  CompiledRules c;
  c.numeric_tolerance = std::isfinite(rules.numeric_tolerance) && rules.numeric_tolerance > 0
                            ? rules.numeric_tolerance
                            : 0;
  c.protocol_defaults = rules.protocol_defaults;
  for (const auto& p : rules.ignore)
    if (auto r = Pattern::parse(p)) c.ignore.push_back(std::move(*r));
  for (const auto& p : rules.unordered)
    if (auto r = Pattern::parse(p)) c.unordered.push_back(std::move(*r));
  for (const auto& [p, m] : rules.matchers)
    if (auto r = Pattern::parse(p)) c.matchers.emplace_back(std::move(*r), m);
  c.has_path_rules = !c.ignore.empty() || !c.unordered.empty() || !c.matchers.empty();
  return c;
}

std::string TreeComparer::excerpt(element v, std::size_t limit) {
  std::string s = json::compact(v);
  if (s.size() > limit) {
    // Never end inside a UTF-8 character: the report counts characters of what is kept.
    std::size_t keep = limit - 3;
    while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80)
      --keep;
    s.resize(keep);
    s += "...";
  }
  return s;
}

std::string TreeComparer::excerpt(element v) {
  return excerpt(v, kExcerptLimit);
}

std::string TreeComparer::prefix() const {
  if (!cell_) return {};
  std::string p(cell_->table);
  if (!p.empty()) p += ' ';
  p += "row ";
  p += std::to_string(cell_->row);
  if (!cell_->column.empty()) {
    p += ", column ";
    p += cell_->column;
  }
  p += ": ";
  return p;
}

void TreeComparer::report(std::string expected, std::string actual, std::string what) {
  if (probing_ > 0) {
    failed_ = true;
    return;
  }
  out_.push_back({path_.str(), std::move(expected), std::move(actual), prefix() + what});
}

bool TreeComparer::ignored_here() const {
  for (const auto& p : rules_.ignore)
    if (p.matches(path_.steps())) return true;
  return false;
}

bool TreeComparer::unordered_here() const {
  for (const auto& p : rules_.unordered)
    if (p.matches(path_.steps())) return true;
  return false;
}

bool TreeComparer::equal(element e, element a) {
  return probe([&] { value(e, a); });
}

void TreeComparer::check_matcher(Matcher m, element a) {
  if (satisfies(m, a)) return;
  if (probing_ > 0) {
    failed_ = true;
    return;
  }
  std::string got = excerpt(a);
  report("{{" + std::string(to_string(m)) + "}}", got,
         "expected " + std::string(to_string(m)) + ", got " + got);
}

bool TreeComparer::volatile_member(std::string_view key) const {
  if (!rules_.protocol_defaults) return false;
  if (is_kusto(kind_)) {
    if (any_iequals(key, kKustoIds)) return true;
    const auto& segs = path_.steps();
    return segs.size() >= 1 && !segs.back().is_index && segs.back().key == "@context" &&
           any_iequals(key, kKustoContext);
  }
  if (is_ksql(kind_)) return key == "queryId" || key == "commandSequenceNumber";
  return false;
}

bool TreeComparer::equivalent_strings(std::string_view key, std::string_view e,
                                      std::string_view a) const {
  if (!rules_.protocol_defaults || !is_ksql(kind_)) return false;
  if (key == "commandId") // "cluster/<uuid>/alter" embeds a generated id; the rest is data
    return mask_guids(e) == mask_guids(a);
  const auto& segs = path_.steps();
  if (key == "message" && segs.size() >= 2 && !segs[segs.size() - 2].is_index &&
      segs[segs.size() - 2].key == "commandStatus") {
    // "Created query with ID CSAS_X_7": the number is the server's query counter.
    constexpr std::string_view created = "Created query with ID ";
    return e.starts_with(created) && a.starts_with(created);
  }
  return false;
}

void TreeComparer::value(element e, element a) {
  if (probe_failed()) return;
  if (rules_.has_path_rules) {
    if (ignored_here()) return;
    for (const auto& [pattern, m] : rules_.matchers)
      if (pattern.matches(path_.steps())) {
        check_matcher(m, a);
        return;
      }
  }
  element_type te = e.type();
  element_type ta = a.type();
  if (te == element_type::STRING) {
    std::string_view es = e.get_string().value_unsafe();
    if (es.size() >= 5 && es[0] == '{' && es[1] == '{')
      if (auto m = golden_matcher(es)) {
        check_matcher(*m, a);
        return;
      }
    if (ta == element_type::STRING) {
      std::string_view as = a.get_string().value_unsafe();
      if (es == as) return;
      if (path_.depth() > 0 && !path_.back().is_index &&
          equivalent_strings(path_.back().key, es, as))
        return;
      if (probing_ > 0) {
        failed_ = true;
        return;
      }
      std::string what = "expected " + excerpt(e) + ", got " + excerpt(a);
      report(excerpt(e, kStringKeepLimit), excerpt(a, kStringKeepLimit), std::move(what));
      return;
    }
  }
  if (is_number(te) && is_number(ta)) {
    if (numbers_equal(e, a)) return;
    if (rules_.numeric_tolerance > 0 &&
        std::fabs(as_double(e) - as_double(a)) <= rules_.numeric_tolerance)
      return;
    if (probing_ > 0) {
      failed_ = true;
      return;
    }
    std::string ex = excerpt(e);
    std::string ac = excerpt(a);
    std::string what = "expected " + ex + ", got " + ac;
    report(std::move(ex), std::move(ac), std::move(what));
    return;
  }
  if (te != ta) {
    if (probing_ > 0) {
      failed_ = true;
      return;
    }
    std::string ex = excerpt(e);
    std::string ac = excerpt(a);
    std::string what = "expected " + std::string(type_name(te)) + " (" + ex + "), got " +
                       std::string(type_name(ta)) + " (" + ac + ")";
    report(std::move(ex), std::move(ac), std::move(what));
    return;
  }
  switch (te) {
  case element_type::OBJECT:
    if (rules_.matchers.empty() && same_tape(e, a)) return;
    object(e.get_object().value_unsafe(), a.get_object().value_unsafe());
    return;
  case element_type::ARRAY:
    if (rules_.matchers.empty() && same_tape(e, a)) return;
    array(e.get_array().value_unsafe(), a.get_array().value_unsafe());
    return;
  case element_type::BOOL:
    if (e.get_bool().value_unsafe() != a.get_bool().value_unsafe()) {
      std::string ex = excerpt(e);
      std::string ac = excerpt(a);
      std::string what = "expected " + ex + ", got " + ac;
      report(std::move(ex), std::move(ac), std::move(what));
    }
    return;
  default: // null, or strings handled above
    return;
  }
}

void TreeComparer::member(std::string_view key, element e, element a) {
  // Presence still counts for a volatile member, its value does not. (The length test keeps
  // the name lookup off the path of ordinary members.)
  bool skip_value = rules_.protocol_defaults && key.size() >= 7 && volatile_member(key);
  path_.push_key(key);
  if (!skip_value) value(e, a);
  path_.pop();
}

void TreeComparer::object(simdjson::dom::object eo, simdjson::dom::object ao,
                          std::initializer_list<std::string_view> skip) {
  auto skipped = [&](std::string_view k) {
    for (std::string_view s : skip)
      if (s == k) return true;
    return false;
  };
  auto ei = eo.begin();
  auto ee = eo.end();
  auto ai = ao.begin();
  auto ae = ao.end();
  // Fast path: the same members in the same order (what one server sends twice).
  while (ei != ee && ai != ae && ei.key() == ai.key()) {
    if (!trivially_equal(ei.value(), ai.value()) && !skipped(ei.key()))
      member(ei.key(), ei.value(), ai.value());
    if (probe_failed()) return;
    ++ei;
    ++ai;
  }
  if (ei == ee && ai == ae) return;
  // Key order differs, or members are missing or extra: pair up the rest by name.
  struct Rest {
    std::string_view key;
    element value;
    bool used = false;
  };
  std::vector<Rest> rest;
  for (; ai != ae; ++ai)
    rest.push_back({ai.key(), ai.value(), false});
  for (; ei != ee; ++ei) {
    std::string_view k = ei.key();
    if (skipped(k)) continue;
    Rest* found = nullptr;
    for (auto& r : rest)
      if (!r.used && r.key == k) {
        found = &r;
        break;
      }
    if (found) {
      found->used = true;
      member(k, ei.value(), found->value);
    } else {
      path_.push_key(k);
      if (!ignored_here())
        report(excerpt(ei.value()), "(missing)", "member \"" + std::string(k) + "\" missing");
      path_.pop();
    }
    if (probe_failed()) return;
  }
  for (const auto& r : rest) {
    if (r.used || skipped(r.key)) continue;
    path_.push_key(r.key);
    if (!ignored_here())
      report("(missing)", excerpt(r.value), "unexpected member \"" + std::string(r.key) + "\"");
    path_.pop();
    if (probe_failed()) return;
  }
}

void TreeComparer::array(simdjson::dom::array ea, simdjson::dom::array aa) {
  if (rules_.has_path_rules && unordered_here()) {
    unordered_array(ea, aa);
    return;
  }
  auto ei = ea.begin();
  auto ee = ea.end();
  auto ai = aa.begin();
  auto ae = aa.end();
  std::size_t i = 0;
  for (; ei != ee && ai != ae; ++ei, ++ai, ++i) {
    if (trivially_equal(*ei, *ai)) continue;
    path_.push_index(i);
    value(*ei, *ai);
    path_.pop();
    if (probe_failed()) return;
  }
  for (; ei != ee; ++ei, ++i) {
    path_.push_index(i);
    if (!ignored_here())
      report(excerpt(*ei), "(missing)", "element [" + std::to_string(i) + "] missing");
    path_.pop();
    if (probe_failed()) return;
  }
  for (; ai != ae; ++ai, ++i) {
    path_.push_index(i);
    if (!ignored_here())
      report("(missing)", excerpt(*ai), "unexpected element [" + std::to_string(i) + "]");
    path_.pop();
    if (probe_failed()) return;
  }
}

std::uint64_t TreeComparer::value_hash(element v) {
  auto mix = [](std::uint64_t h) { // splitmix64 finaliser
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
  };
  auto text = [](std::string_view s) { return std::hash<std::string_view>{}(s); };
  switch (v.type()) {
  case element_type::OBJECT: {
    std::uint64_t h = 0x51;
    simdjson::dom::object obj = v.get_object().value_unsafe();
    for (auto [k, x] : obj)
      h += mix(text(k) * 31 + value_hash(x)); // a sum: member order does not matter
    return mix(h);
  }
  case element_type::ARRAY: {
    std::uint64_t h = 0xa7;
    simdjson::dom::array arr = v.get_array().value_unsafe();
    for (auto x : arr)
      h = mix(h ^ value_hash(x));
    return h;
  }
  case element_type::STRING:
    return text(v.get_string().value_unsafe());
  case element_type::INT64:
  case element_type::UINT64:
  case element_type::DOUBLE: {
    double d = as_double(v) + 0.0; // -0.0 and 0.0 alike
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    return mix(bits ^ 0x4e);
  }
  case element_type::BOOL:
    return v.get_bool().value_unsafe() ? 0x7101 : 0x7102;
  case element_type::NULL_VALUE:
    return 0x7103;
  }
  return 0;
}

void TreeComparer::unordered_array(simdjson::dom::array ea, simdjson::dom::array aa) {
  std::vector<element> ev(ea.begin(), ea.end());
  std::vector<element> av(aa.begin(), aa.end());
  std::vector<char> e_done;
  std::vector<char> a_used;
  pair_unordered(
      ev, av,
      [&](std::size_t i, std::size_t j) {
        path_.push_index(j);
        bool same = equal(ev[i], av[j]);
        path_.pop();
        return same;
      },
      e_done, a_used);
  std::vector<std::size_t> missing;
  std::vector<std::size_t> extra;
  for (std::size_t i = 0; i < ev.size(); ++i)
    if (!e_done[i]) missing.push_back(i);
  for (std::size_t j = 0; j < av.size(); ++j)
    if (!a_used[j]) extra.push_back(j);
  if (probing_ > 0) {
    failed_ = failed_ || !missing.empty() || !extra.empty();
    return;
  }
  if (missing.size() == 1 && extra.size() == 1) {
    // One element changed: show what changed inside it rather than "missing" plus "extra".
    path_.push_index(extra[0]);
    value(ev[missing[0]], av[extra[0]]);
    path_.pop();
    return;
  }
  for (std::size_t i : missing)
    report(excerpt(ev[i]), "(missing)",
           "expected element [" + std::to_string(i) + "] not found in the unordered array");
  for (std::size_t j : extra) {
    path_.push_index(j);
    report("(missing)", excerpt(av[j]),
           "unexpected element [" + std::to_string(j) + "] in the unordered array");
    path_.pop();
  }
}

} // namespace konform::compare
