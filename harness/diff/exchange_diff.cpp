#include "diff/exchange_diff.h"

#include "core/text.h"
#include "diff/normalise.h"

#include "json/writer.h"
#include <algorithm>

namespace konform::diff {
namespace {

bool framing_header(std::string_view lower) {
  return lower == "content-length" || lower == "transfer-encoding" || lower == "connection" ||
         lower == "keep-alive";
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Lower-case name → value (repeated headers joined with ", "), sorted by name.
using HeaderMap = std::vector<std::pair<std::string, std::string>>;
HeaderMap header_map(const report::HeaderList& headers, bool defaults) {
  HeaderMap out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower = lower_ascii(name);
    if (framing_header(lower) || (defaults && compare::is_volatile_header(lower))) continue;
    out.emplace_back(std::move(lower), value);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  HeaderMap merged;
  for (auto& h : out) {
    if (!merged.empty() && merged.back().first == h.first)
      merged.back().second += ", " + h.second;
    else
      merged.push_back(std::move(h));
  }
  return merged;
}

// A header value as JSON text, like the body values of a difference.
std::string json_text(const std::string& s) {
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
  auto add = [&](const std::string& name, std::string x, std::string y) {
    out.push_back(
        {"headers." + name, "headers." + name, x, y, "header " + name + ": " + x + " vs " + y});
  };
  while (ai != a.end() || bi != b.end()) {
    if (bi == b.end() || (ai != a.end() && ai->first < bi->first)) {
      add(ai->first, json_text(ai->second), "(missing)");
      ++ai;
    } else if (ai == a.end() || bi->first < ai->first) {
      add(bi->first, "(missing)", json_text(bi->second));
      ++bi;
    } else {
      if (ai->second != bi->second) add(ai->first, json_text(ai->second), json_text(bi->second));
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
  PathNamer name(kind, comparer.last_actual());
  for (auto& d : *body) {
    std::string path = name(d.path);
    out.push_back({std::move(path), std::move(d.path), std::move(d.expected), std::move(d.actual),
                   std::move(d.message)});
  }
  return out;
}

} // namespace konform::diff
