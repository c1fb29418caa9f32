#include "diff/noise.h"

#include "core/file.h"
#include "core/text.h"
#include "json/document.h"
#include "json/locate.h"
#include "json/writer.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace konform::diff {

void Noise::learn(const std::string& scenario, const std::string& step,
                  const std::set<std::string>& differing) {
  auto& s = learned_[{scenario, step}];
  ++s.compared;
  for (const auto& path : differing) {
    auto& e = s.paths[path];
    e.scenario = scenario;
    e.step = step;
    e.path = path;
    ++e.differed;
  }
  for (auto& [path, e] : s.paths) {
    e.compared = s.compared;
    e.rate = static_cast<double>(e.differed) / static_cast<double>(s.compared);
  }
}

void Noise::add(NoiseEntry entry) {
  entry.from_file = true;
  file_.push_back(std::move(entry));
}

const NoiseEntry* Noise::find(const std::string& scenario, const std::string& step,
                              const std::string& path) const {
  if (auto it = learned_.find({scenario, step}); it != learned_.end())
    if (auto p = it->second.paths.find(path); p != it->second.paths.end()) return &p->second;
  for (const auto& e : file_)
    if (text::glob_match(e.scenario, scenario) && text::glob_match(e.step, step) &&
        text::glob_match(e.path, path))
      return &e;
  return nullptr;
}

std::vector<NoiseEntry> Noise::learned() const {
  std::vector<NoiseEntry> out;
  for (const auto& [key, s] : learned_)
    for (const auto& [path, e] : s.paths)
      out.push_back(e);
  return out;
}

std::string noise_file_text(const Noise& noise) {
  std::vector<NoiseEntry> entries = noise.learned();
  for (const auto& e : noise.from_file())
    entries.push_back(e);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.scenario, a.step, a.path) < std::tie(b.scenario, b.step, b.path);
  });
  // One entry per line, so that a person can delete or widen one with an editor.
  std::string out =
      "{\n  \"format\": \"konform-noise\",\n  \"version\": " + std::to_string(kNoiseFileVersion) +
      ",\n  \"noise\": [";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string line;
    json::Writer w(line);
    w.begin_object();
    w.field("scenario", e.scenario);
    w.field("step", e.step);
    w.field("path", e.path);
    w.field("rate", std::round(e.rate * 1000) / 1000);
    w.end_object();
    out += (i ? ",\n    " : "\n    ") + line;
  }
  out += entries.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

namespace {

using json::PathStep;

Error located(std::string_view text, const std::string& file, const std::vector<PathStep>& at,
              const std::string& what) {
  auto loc = json::locate_path(text, at);
  return make_error(file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) +
                        ": " + what,
                    ErrorKind::format);
}

PathStep key(std::string k) {
  return {std::move(k), 0, false};
}
PathStep index(std::size_t i) {
  return {{}, i, true};
}

} // namespace

Result<Noise> parse_noise_file(std::string_view text, const std::string& file) {
  auto doc = json::Document::parse(text, file);
  if (!doc)
    return make_error(doc.error().message + " (a noise file is JSON; rewrite it with "
                                            "--learn-noise FILE)",
                      ErrorKind::format);
  constexpr std::string_view shape =
      "; a noise file looks like {\"format\": \"konform-noise\", \"version\": 1, \"noise\": "
      "[{\"scenario\": \"*\", \"step\": \"*\", \"path\": \"headers.date\"}]}";
  simdjson::dom::object root;
  if (doc->root().get(root) != simdjson::SUCCESS)
    return located(text, file, {}, "expected an object" + std::string(shape));
  std::string_view format;
  if (root.at_key("format").get(format) != simdjson::SUCCESS || format != "konform-noise")
    return located(text, file, {key("format")},
                   "\"format\" must be \"konform-noise\"" + std::string(shape));
  std::int64_t version = 0;
  if (root.at_key("version").get(version) != simdjson::SUCCESS || version != kNoiseFileVersion)
    return located(text, file, {key("version")},
                   "\"version\" must be " + std::to_string(kNoiseFileVersion) +
                       " (this konform reads noise files of version " +
                       std::to_string(kNoiseFileVersion) + ")");
  for (auto [k, v] : root)
    if (k != "format" && k != "version" && k != "noise" && k != "comment")
      return located(text, file, {key(std::string(k))},
                     "unknown field \"" + std::string(k) +
                         "\" (a noise file has \"format\", \"version\", \"noise\" and "
                         "\"comment\")");
  simdjson::dom::array entries;
  if (root.at_key("noise").get(entries) != simdjson::SUCCESS)
    return located(text, file, {key("noise")},
                   "\"noise\" must be an array of entries" + std::string(shape));
  Noise noise;
  std::size_t i = 0;
  for (auto item : entries) {
    std::vector<PathStep> at{key("noise"), index(i)};
    simdjson::dom::object o;
    if (item.get(o) != simdjson::SUCCESS)
      return located(text, file, at,
                     "noise[" + std::to_string(i) + "] must be an object with \"scenario\", " +
                         "\"step\" and \"path\"");
    NoiseEntry e;
    for (auto [k, v] : o) {
      auto field_at = at;
      field_at.push_back(key(std::string(k)));
      std::string where = "noise[" + std::to_string(i) + "]." + std::string(k);
      if (k == "scenario" || k == "step" || k == "path") {
        std::string_view s;
        if (v.get(s) != simdjson::SUCCESS || s.empty())
          return located(text, file, field_at,
                         where + " must be a non-empty string (a glob; \"*\" matches any)");
        (k == "scenario" ? e.scenario : k == "step" ? e.step : e.path) = std::string(s);
      } else if (k == "rate") {
        double r = 0;
        if (v.get(r) != simdjson::SUCCESS) {
          std::int64_t n = 0;
          if (v.get(n) != simdjson::SUCCESS)
            r = -1;
          else
            r = static_cast<double>(n);
        }
        if (r < 0 || r > 1)
          return located(text, file, field_at, where + " must be a number from 0 to 1");
        e.rate = r;
      } else {
        return located(text, file, field_at,
                       "unknown field \"" + std::string(k) +
                           "\" in a noise entry (write \"scenario\", \"step\", \"path\" and "
                           "optionally \"rate\")");
      }
    }
    for (auto [name, value] : {std::pair{"scenario", &e.scenario}, std::pair{"step", &e.step},
                               std::pair{"path", &e.path}})
      if (value->empty())
        return located(text, file, at,
                       "noise[" + std::to_string(i) + "] has no \"" + name + "\" (write \"" + name +
                           "\": \"*\" to match any)");
    noise.add(std::move(e));
    ++i;
  }
  return noise;
}

Result<Noise> read_noise_file(const std::string& file) {
  auto text = file::read(file);
  if (!text) return make_error("--noise " + file + ": " + text.error().message, ErrorKind::format);
  return parse_noise_file(*text, file);
}

} // namespace konform::diff
