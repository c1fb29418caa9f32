#include "diff/exchange_diff.h"

#include "core/text.h"
#include "diff/normalise.h"
#include "json/writer.h"

#include <algorithm>

namespace konform::diff {
namespace {

bool framing_header(std::string_view name) {
  return text::iequals(name, "content-length") || text::iequals(name, "transfer-encoding") ||
         text::iequals(name, "connection") || text::iequals(name, "keep-alive");
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = lower(c);
  return out;
}

// The order of the lower-cased names as std::string would sort them, without lower-casing
// copies: a response pair's headers are compared on every step, so this runs per exchange.
int compare_lower(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(lower(a[i]));
    auto y = static_cast<unsigned char>(lower(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// One header by its name in any case; a repeated header's values joined with ", ".
struct Header {
  std::string_view name;
  std::string_view value;
  std::string joined; // only for a repeated header
  bool repeated = false;
  std::string_view text() const { return repeated ? std::string_view(joined) : value; }
};

// The headers that count, sorted by lower-case name, repeated ones merged in order.
std::vector<Header> header_map(const report::HeaderList& headers, bool defaults) {
  std::vector<Header> out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    if (framing_header(name) || (defaults && compare::is_volatile_header(name))) continue;
    out.push_back({name, value, {}, false});
  }
  std::stable_sort(out.begin(), out.end(), [](const Header& a, const Header& b) {
    return compare_lower(a.name, b.name) < 0;
  });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (kept > 0 && compare_lower(out[kept - 1].name, out[i].name) == 0) {
      Header& h = out[kept - 1];
      if (!h.repeated) h.joined = std::string(h.value), h.repeated = true;
      h.joined += ", ";
      h.joined += out[i].value;
    } else {
      if (kept != i) out[kept] = std::move(out[i]);
      ++kept;
    }
  }
  out.resize(kept);
  return out;
}

// A header value as JSON text, like the body values of a difference.
std::string json_text(std::string_view s) {
  std::string out;
  json::append_quoted(out, s);
  return out;
}

void headers(const Response& first, const Response& second, bool defaults,
             std::vector<PathDifference>& out) {
  auto a = header_map(first.headers, defaults);
  auto b = header_map(second.headers, defaults);
  auto ai = a.begin();
  auto bi = b.begin();
  auto add = [&](std::string_view original, std::string x, std::string y) {
    std::string name = lower_ascii(original);
    out.push_back(
        {"headers." + name, "headers." + name, x, y, "header " + name + ": " + x + " vs " + y});
  };
  while (ai != a.end() || bi != b.end()) {
    int order = ai == a.end() ? 1 : bi == b.end() ? -1 : compare_lower(ai->name, bi->name);
    if (order < 0) {
      add(ai->name, json_text(ai->text()), "(missing)");
      ++ai;
    } else if (order > 0) {
      add(bi->name, "(missing)", json_text(bi->text()));
      ++bi;
    } else {
      if (ai->text() != bi->text()) add(ai->name, json_text(ai->text()), json_text(bi->text()));
      ++ai;
      ++bi;
    }
  }
}

} // namespace

std::vector<PathDifference> compare_responses(Response& first, Response& second,
                                              protocol::Kind kind, const compare::Rules& rules,
                                              compare::BodyComparer& comparer) {
  std::vector<PathDifference> out;
  if (first.status != second.status)
    out.push_back(
        {"status", "status", std::to_string(first.status), std::to_string(second.status),
         "status " + std::to_string(first.status) + " vs " + std::to_string(second.status)});
  headers(first, second, rules.protocol_defaults, out);

  auto body = comparer.compare_in_place(first.body, second.body, kind, rules);
  if (!body) {
    // One side is not what its protocol says (not JSON, a cut-off stream): one difference.
    out.push_back({"body", "$", "", "", "body: " + body.error().message});
    return out;
  }
  if (body->empty()) return out;
  // Paths point into the second body (the reassembled stream for ksqlDB): the comparer still
  // holds it parsed, so tables, columns and frames are named without a second parse.
  PathNamer name(kind, comparer.last_actual(), comparer.last_actual_tables());
  for (auto& d : *body) {
    std::string path = name(d.path);
    out.push_back({std::move(path), std::move(d.path), std::move(d.expected), std::move(d.actual),
                   std::move(d.message)});
  }
  return out;
}

} // namespace konform::diff
