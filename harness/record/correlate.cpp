#include "record/correlate.h"

#include "json/path.h"
#include "json/writer.h"
#include "scenario/variables.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace konform::record {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kSequenceKey = "commandSequenceNumber";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool producing_key(std::string_view key, std::string_view value) {
  if (key == "commandId" || key == "queryId") return true;
  if (key == "TableName" || key == "ColumnName") return false; // Kusto result metadata
  // Other ids and names only when they look made by the server (a digit: a GUID, CSAS_T_7,
  // tmp123): a fixed word such as auth metadata's "ServiceName": "kusto" would otherwise be
  // matched in every later request that happens to say "kusto".
  bool generated = std::any_of(value.begin(), value.end(),
                               [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  return generated && (ends_with(key, "Id") || ends_with(key, "ID") || ends_with(key, "id") ||
                       ends_with(key, "Name") || ends_with(key, "name"));
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Where `value` occurs in `text` as a whole token, from `from` on.
std::size_t find_token(std::string_view text, std::string_view value, std::size_t from) {
  for (std::size_t at = text.find(value, from); at != std::string_view::npos;
       at = text.find(value, at + 1)) {
    bool left = at == 0 || !word_char(text[at - 1]) || !word_char(value.front());
    std::size_t end = at + value.size();
    bool right = end == text.size() || !word_char(text[end]) || !word_char(value.back());
    if (left && right) return at;
  }
  return std::string_view::npos;
}

struct Candidate {
  std::string path;
  std::string key;
  std::string value;
  bool number = false;
};

void collect(element e, const std::string& path, std::string_view key,
             std::vector<Candidate>& out) {
  switch (e.type()) {
  case element_type::OBJECT: {
    simdjson::dom::object obj = e.get_object().value_unsafe(); // named: see canonical.cpp
    for (auto [k, v] : obj) {
      std::string child = path; // relative: "$" is put in front when a capture is made
      json::append_key(child, k);
      collect(v, child, k, out);
    }
    break;
  }
  case element_type::ARRAY: {
    std::size_t i = 0;
    simdjson::dom::array arr = e.get_array().value_unsafe();
    for (auto v : arr) {
      std::string child = path;
      json::append_index(child, i++);
      collect(v, child, key, out);
    }
    break;
  }
  case element_type::STRING:
    if (!key.empty()) {
      std::string_view s = e.get_string().value_unsafe();
      if (s.size() >= 4 && s.size() <= 256 && producing_key(key, s))
        out.push_back({path, std::string(key), std::string(s)});
    }
    break;
  case element_type::INT64:
  case element_type::UINT64:
    if (key == kSequenceKey) out.push_back({path, std::string(key), json::compact(e), true});
    break;
  default:
    break;
  }
}

// Every string of a JSON body, for "did a request send this value".
void strings_of(element e, std::string& out) {
  switch (e.type()) {
  case element_type::OBJECT: {
    simdjson::dom::object obj = e.get_object().value_unsafe(); // named: see canonical.cpp
    for (auto [k, v] : obj) {
      out.append(k);
      out += '\n';
      strings_of(v, out);
    }
    break;
  }
  case element_type::ARRAY: {
    simdjson::dom::array arr = e.get_array().value_unsafe();
    for (auto v : arr)
      strings_of(v, out);
    break;
  }
  case element_type::STRING:
    out.append(e.get_string().value_unsafe());
    out += '\n';
    break;
  default:
    break;
  }
}

bool sequence_used(element e, std::string_view number) {
  switch (e.type()) {
  case element_type::OBJECT: {
    simdjson::dom::object obj = e.get_object().value_unsafe(); // named: see canonical.cpp
    for (auto [k, v] : obj) {
      if (k == kSequenceKey && (v.is_int64() || v.is_uint64()) && json::compact(v) == number)
        return true;
      if (sequence_used(v, number)) return true;
    }
    return false;
  }
  case element_type::ARRAY: {
    simdjson::dom::array arr = e.get_array().value_unsafe();
    for (auto v : arr)
      if (sequence_used(v, number)) return true;
    return false;
  }
  default:
    return false;
  }
}

// The value as a client writes it in a URL path: bytes outside RFC 3986's pchar and '/' as %XX
// (ksqlDB's commandId "stream/`S`/create" is sent as /status/stream/%60S%60/create).
std::string path_encoded(std::string_view value) {
  static constexpr std::string_view keep = "-._~!$&'()*+,;=:@/";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct Producer {
  std::size_t step;
  Candidate candidate;
  std::string variable; // assigned when first used
};

} // namespace

Correlation correlate(const std::vector<RequestView>& requests,
                      const std::vector<std::optional<element>>& responses,
                      const std::vector<std::string>& step_names) {
  Correlation c;
  c.captures.resize(requests.size());
  c.uses.resize(requests.size());
  std::string sent;                     // every request's text so far
  std::map<std::string, Producer> live; // value (or "#" + number) → latest producer
  std::map<std::string, int> names;     // variable names taken
  // (step, variable) of captures already added, so a producer is captured once.
  std::map<std::pair<std::size_t, std::string>, bool> captured;

  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    std::string body_strings;
    if (r.body) strings_of(*r.body, body_strings);
    std::string request_text = r.path + "\n";
    for (const auto& h : r.header_values)
      request_text += h + "\n";
    request_text += body_strings;

    for (auto& [value_key, p] : live) {
      // The forms the value may take in this request: as it is, or percent-encoded in the path.
      std::vector<std::string> forms;
      if (p.candidate.number) {
        if (r.body && sequence_used(*r.body, p.candidate.value)) forms.push_back(p.candidate.value);
      } else {
        if (find_token(request_text, p.candidate.value, 0) != std::string::npos)
          forms.push_back(p.candidate.value);
        std::string encoded = path_encoded(p.candidate.value);
        if (encoded != p.candidate.value && find_token(r.path, encoded, 0) != std::string::npos)
          forms.push_back(encoded);
      }
      if (forms.empty()) continue;
      if (p.variable.empty()) {
        const auto base = scenario::variable_name_from(p.candidate.key);
        int n = ++names[base];
        p.variable = n == 1 ? base : base + "_" + std::to_string(n);
      }
      if (!captured[{p.step, p.variable}]) {
        captured[{p.step, p.variable}] = true;
        c.captures[p.step].push_back({p.variable, "$" + p.candidate.path});
      }
      for (auto& form : forms)
        c.uses[i].push_back({std::move(form), p.variable, p.candidate.number});
      c.notes.push_back("step \"" + step_names[i] + "\" sends ${" + p.variable +
                        "}, captured from the response of step \"" + step_names[p.step] +
                        "\" at $" + p.candidate.path);
    }
    std::sort(c.uses[i].begin(), c.uses[i].end(),
              [](const auto& a, const auto& b) { return a.value.size() > b.value.size(); });
    sent += request_text;

    if (!responses[i]) continue;
    std::vector<Candidate> found;
    collect(*responses[i], "", "", found);
    for (auto& f : found) {
      if (!f.number && sent.find(f.value) != std::string::npos) continue; // the client's own
      std::string k = (f.number ? "#" : "") + f.value;
      live[k] = Producer{i, std::move(f), {}};
    }
  }
  return c;
}

std::string substitute(std::string_view text, const std::vector<Substitution>& uses) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& u : uses) {
      if (u.number || text.compare(i, u.value.size(), u.value) != 0) continue;
      if (find_token(text.substr(i), u.value, 0) != 0) continue;
      out += "${" + u.variable + "}";
      i += u.value.size();
      replaced = true;
      break;
    }
    if (replaced) continue;
    if (text.compare(i, 2, "${") == 0) {
      out += "$${";
      i += 2;
      continue;
    }
    out += text[i++];
  }
  return out;
}

namespace {

void write_json(json::Writer& w, element e, std::string_view key,
                const std::vector<Substitution>& uses) {
  switch (e.type()) {
  case element_type::OBJECT: {
    w.begin_object();
    simdjson::dom::object obj = e.get_object().value_unsafe(); // named: see canonical.cpp
    for (auto [k, v] : obj) {
      w.key(substitute(k, {}));
      write_json(w, v, k, uses);
    }
    w.end_object();
    break;
  }
  case element_type::ARRAY: {
    w.begin_array();
    simdjson::dom::array arr = e.get_array().value_unsafe();
    for (auto v : arr)
      write_json(w, v, key, uses);
    w.end_array();
    break;
  }
  case element_type::STRING:
    w.string(substitute(e.get_string().value_unsafe(), uses));
    break;
  case element_type::INT64:
  case element_type::UINT64:
    if (key == kSequenceKey) {
      std::string n = json::compact(e);
      auto it = std::find_if(uses.begin(), uses.end(),
                             [&](const Substitution& u) { return u.number && u.value == n; });
      if (it != uses.end()) {
        w.string("${" + it->variable + "}");
        break;
      }
    }
    w.element(e);
    break;
  default:
    w.element(e);
  }
}

} // namespace

std::string substitute_json(element body, const std::vector<Substitution>& uses) {
  std::string out;
  json::Writer w(out);
  write_json(w, body, "", uses);
  return out;
}

} // namespace konform::record
