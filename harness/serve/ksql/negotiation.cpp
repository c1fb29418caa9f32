#include "serve/ksql/negotiation.h"

#include "core/text.h"

#include <algorithm>

namespace konform::serve::ksql {

namespace {

struct MediaRange {
  std::string type, subtype;
  double q = 1.0;
  int specificity = 0; // */* = 0, type/* = 1, type/subtype = 2
  std::size_t order = 0;
};

std::vector<MediaRange> parse_accept(std::string_view header) {
  std::vector<MediaRange> out;
  std::size_t order = 0;
  for (auto part : text::split(header, ',')) {
    auto pieces = text::split(part, ';');
    if (pieces.empty()) continue;
    auto media = text::to_lower(text::trim(pieces[0]));
    if (media.empty()) continue;
    MediaRange r;
    auto slash = media.find('/');
    r.type = media.substr(0, slash);
    r.subtype = slash == std::string::npos ? "*" : media.substr(slash + 1);
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      auto param = text::trim(pieces[i]);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
        r.q = text::parse_double(param.substr(2)).value_or(1.0);
    }
    r.specificity = r.type == "*" ? 0 : r.subtype == "*" ? 1 : 2;
    r.order = order++;
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const MediaRange& a, const MediaRange& b) {
    if (a.q != b.q) return a.q > b.q;
    return a.specificity > b.specificity;
  });
  return out;
}

bool matches(const MediaRange& r, std::string_view produced) {
  auto slash = produced.find('/');
  auto type = produced.substr(0, slash);
  auto subtype = produced.substr(slash + 1);
  return (r.type == "*" || r.type == type) && (r.subtype == "*" || r.subtype == subtype);
}

} // namespace

Negotiated negotiate(std::optional<std::string_view> accept,
                     const std::vector<std::string_view>& produces) {
  if (!accept || text::trim(*accept).empty()) return {true, std::nullopt};
  for (auto& range : parse_accept(*accept)) {
    if (range.q <= 0) continue; // q=0 means "not acceptable"
    for (auto produced : produces)
      if (matches(range, produced)) return {true, std::string(produced)};
  }
  return {false, std::nullopt};
}

} // namespace konform::serve::ksql
