#include "record/secrets.h"

#include "core/base64.h"
#include "core/redact.h"
#include "core/text.h"

#include <algorithm>

namespace konform::record {
namespace {

constexpr std::string_view kStorageHosts[] = {".blob.core.windows.net", ".queue.core.windows.net",
                                              ".table.core.windows.net", ".file.core.windows.net",
                                              ".dfs.core.windows.net"};

// Characters that end a URL embedded in JSON, XML, a header or plain text.
bool url_end(char c) {
  return c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == ' ' || c == '\t' ||
         c == '\r' || c == '\n' || c == ',' || c == ';' || c == ')' || c == ']' || c == '}' ||
         c == '`';
}

std::size_t find_icase(std::string_view s, std::string_view needle, std::size_t from) {
  auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(std::min(from, s.size())), s.end(),
                        needle.begin(), needle.end(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it == s.end() ? std::string_view::npos : static_cast<std::size_t>(it - s.begin());
}

// Masks the query string of every URL that holds a SAS: a "sig=" parameter, or an Azure Storage
// host. Returns true when something changed.
bool mask_sas(std::string& s) {
  bool changed = false;
  std::string out;
  std::size_t from = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t scheme = find_icase(s, "http", i);
    if (scheme == std::string::npos) break;
    std::size_t colon = scheme + 4;
    if (colon < s.size() && (s[colon] == 's' || s[colon] == 'S')) ++colon;
    if (s.compare(colon, 3, "://") != 0) {
      i = scheme + 4;
      continue;
    }
    std::size_t end = colon + 3;
    while (end < s.size() && !url_end(s[end]))
      ++end;
    std::string_view url(s.data() + scheme, end - scheme);
    std::size_t q = url.find('?');
    bool storage = false;
    for (auto host : kStorageHosts)
      storage |= find_icase(url.substr(0, q), host, 0) != std::string_view::npos;
    if (q != std::string_view::npos && q + 1 < url.size() &&
        (storage || find_icase(url, "sig=", q) != std::string_view::npos)) {
      out.append(s, from, scheme + q + 1 - from);
      out += redact::kMask;
      from = end;
      changed = true;
    }
    i = end;
  }
  if (!changed) return false;
  out.append(s, from, std::string::npos);
  s = std::move(out);
  return true;
}

// A "sig=VALUE" left outside any URL (a form body, a connection string): its value is masked.
bool mask_sig_values(std::string& s) {
  bool changed = false;
  std::size_t at = 0;
  while ((at = find_icase(s, "sig=", at)) != std::string::npos) {
    std::size_t value = at + 4;
    std::size_t end = value;
    while (end < s.size() && s[end] != '&' && !url_end(s[end]))
      ++end;
    if (s.compare(value, end - value, redact::kMask) != 0 && end > value) {
      s.replace(value, end - value, redact::kMask);
      changed = true;
    }
    at = value;
  }
  return changed;
}

} // namespace

bool Scrubber::secret_header(std::string_view name) {
  return text::iequals(name, "Authorization") || text::iequals(name, "Proxy-Authorization") ||
         text::iequals(name, "Cookie") || text::iequals(name, "Set-Cookie");
}

void Scrubber::learn(const http::Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!text::iequals(name, "Authorization") && !text::iequals(name, "Proxy-Authorization"))
      continue;
    auto v = text::trim(value);
    auto space = v.find(' ');
    // "Bearer TOKEN": the token alone is what a server might echo; both are masked.
    std::vector<std::string_view> values{v};
    if (space != std::string_view::npos) values.push_back(text::trim(v.substr(space + 1)));
    for (auto s : values)
      if (s.size() >= 4 &&
          std::find(credentials_.begin(), credentials_.end(), s) == credentials_.end())
        credentials_.emplace_back(s);
  }
  std::sort(credentials_.begin(), credentials_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Scrubber::note(const std::string& where, const std::string& what) {
  std::string line = where + ": " + what;
  auto it =
      std::find_if(notes_.begin(), notes_.end(), [&](const auto& n) { return n.first == line; });
  if (it == notes_.end()) it = notes_.insert(notes_.end(), {line, {}});
  if (exchange_ != 0 && (it->second.empty() || it->second.back() != exchange_))
    it->second.push_back(exchange_);
}

std::vector<std::string> Scrubber::notes() const {
  std::vector<std::string> out;
  for (const auto& [line, exchanges] : notes_) {
    if (exchanges.empty()) {
      out.push_back(line);
      continue;
    }
    std::string list;
    for (std::size_t i = 0; i < exchanges.size();) {
      std::size_t j = i;
      while (j + 1 < exchanges.size() && exchanges[j + 1] == exchanges[j] + 1)
        ++j;
      if (!list.empty()) list += ", ";
      list += std::to_string(exchanges[i]);
      if (j > i) list += (j == i + 1 ? ", " : "-") + std::to_string(exchanges[j]);
      i = j + 1;
    }
    out.push_back(line + (exchanges.size() == 1 ? " in exchange " : " in exchanges ") + list);
  }
  return out;
}

std::string Scrubber::scrub_once(std::string_view text, std::set<std::string>& kinds) {
  std::string s(text);
  for (const auto& c : credentials_) {
    std::string before = s.size() >= c.size() ? s : std::string();
    if (before.empty()) continue;
    redact::in_place(s, c);
    if (s != before) kinds.insert("the bearer token");
  }
  if (mask_sas(s)) kinds.insert("SAS query string");
  if (mask_sig_values(s)) kinds.insert("SAS signature (sig=)");
  return s;
}

std::string Scrubber::scrub(std::string_view text, const std::string& where) {
  std::set<std::string> kinds;
  std::string s = scrub_once(text, kinds);
  // Queued-ingestion messages travel base64-encoded inside the queue's XML: decode, scrub, encode.
  constexpr std::string_view open = "<MessageText>", close = "</MessageText>";
  for (std::size_t at = s.find(open); at != std::string::npos; at = s.find(open, at + 1)) {
    std::size_t begin = at + open.size();
    std::size_t end = s.find(close, begin);
    if (end == std::string::npos) break;
    auto decoded = base64::decode(s.substr(begin, end - begin));
    if (!decoded) continue;
    std::set<std::string> inner;
    std::string cleaned = scrub_once(*decoded, inner);
    if (inner.empty()) continue;
    for (const auto& k : inner)
      kinds.insert(k + " in a base64 queue message");
    s.replace(begin, end - begin, base64::encode(cleaned));
  }
  for (const auto& k : kinds)
    note(where, k + " masked");
  return s;
}

} // namespace konform::record
