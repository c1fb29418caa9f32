#include "diff/reports.h"

#include "core/file.h"
#include "json/document.h"
#include "json/locate.h"
#include "json/writer.h"

#include <map>
#include <set>

namespace konform::diff {
namespace {

using json::PathStep;

struct Report {
  std::string format;
  std::int64_t version = 0;
  std::map<std::string, bool> steps; // "scenario / step" → failed
  std::set<std::string> differences;
};

Error located(std::string_view text, const std::string& file, const std::vector<PathStep>& at,
              const std::string& what) {
  auto loc = json::locate_path(text, at);
  return make_error(file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) +
                    ": " + what);
}

PathStep key(std::string k) {
  return {std::move(k), 0, false};
}
PathStep index(std::size_t i) {
  return {{}, i, true};
}

std::string str(simdjson::dom::element e, std::string_view k) {
  std::string_view s;
  if (e.at_key(k).get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

Result<Report> read_report(std::string_view text, const std::string& file) {
  auto doc = json::Document::parse(text, file);
  if (!doc)
    return make_error(doc.error().message + " (expected a JSON report of konform check "
                                            "--json or konform diff --json)");
  Report r;
  simdjson::dom::element root = doc->root();
  r.format = str(root, "format");
  if (r.format != "konform-check-report" && r.format != "konform-diff-report")
    return located(text, file, {key("format")},
                   "not a konform report: \"format\" must be \"konform-check-report\" or "
                   "\"konform-diff-report\" (write one with check --json or diff --json)");
  if (root.at_key("version").get(r.version) != simdjson::SUCCESS)
    return located(text, file, {key("version")}, "\"version\" must be a number");
  auto step_array = [&](simdjson::dom::element parent, std::vector<PathStep> at,
                        simdjson::dom::array& out) -> Status {
    if (parent.at_key("steps").get(out) != simdjson::SUCCESS) {
      at.push_back(key("steps"));
      return located(text, file, at, "\"steps\" must be an array");
    }
    return Ok{};
  };
  auto add_step = [&](const std::string& scenario, simdjson::dom::element step, bool with_paths) {
    std::string name = scenario + " / " + str(step, "name");
    r.steps[name] = str(step, "outcome") != "passed" && str(step, "outcome") != "updated";
    simdjson::dom::array diffs;
    if (with_paths && step.at_key("differences").get(diffs) == simdjson::SUCCESS)
      for (auto d : diffs)
        r.differences.insert(name + ": " + str(d, "path"));
  };
  if (r.format == "konform-check-report") {
    simdjson::dom::array scenarios;
    if (root.at_key("scenarios").get(scenarios) != simdjson::SUCCESS)
      return located(text, file, {key("scenarios")}, "\"scenarios\" must be an array");
    std::size_t i = 0;
    for (auto sc : scenarios) {
      simdjson::dom::array steps;
      auto st = step_array(sc, {key("scenarios"), index(i)}, steps);
      if (!st) return st.error();
      std::string scenario = str(sc, "name");
      if (scenario.empty()) scenario = str(sc, "file");
      for (auto step : steps)
        add_step(scenario, step, true);
      ++i;
    }
  } else {
    simdjson::dom::array steps;
    auto st = step_array(root, {}, steps);
    if (!st) return st.error();
    for (auto step : steps)
      add_step(str(step, "scenario"), step, false);
    simdjson::dom::array groups;
    if (root.at_key("groups").get(groups) != simdjson::SUCCESS)
      return located(text, file, {key("groups")}, "\"groups\" must be an array");
    for (auto g : groups) {
      bool noise = false;
      if (g.at_key("noise").get(noise) != simdjson::SUCCESS) noise = false;
      if (!noise) r.differences.insert(str(g, "path"));
    }
  }
  return r;
}

} // namespace

Result<ReportChanges> compare_reports(std::string_view old_text, const std::string& old_file,
                                      std::string_view new_text, const std::string& new_file) {
  auto before = read_report(old_text, old_file);
  if (!before) return before.error();
  auto after = read_report(new_text, new_file);
  if (!after) return after.error();
  if (before->format != after->format)
    return located(new_text, new_file, {key("format")},
                   "this is a " + after->format + " but " + old_file + " is a " + before->format +
                       ": compare two reports of the same command (both check --json or both "
                       "diff --json)");
  if (before->version != after->version)
    return located(new_text, new_file, {key("version")},
                   "report version " + std::to_string(after->version) + " but " + old_file +
                       " has version " + std::to_string(before->version) +
                       ": compare reports written by the same konform version");
  ReportChanges c;
  c.format = before->format;
  c.old_file = old_file;
  c.new_file = new_file;
  for (const auto& [step, failed] : after->steps) {
    auto it = before->steps.find(step);
    if (it == before->steps.end())
      c.steps_added.push_back(step);
    else if (failed && !it->second)
      c.newly_failing.push_back(step);
    else if (!failed && it->second)
      c.newly_passing.push_back(step);
  }
  for (const auto& [step, failed] : before->steps)
    if (!after->steps.count(step)) c.steps_removed.push_back(step);
  for (const auto& d : after->differences)
    if (!before->differences.count(d)) c.appeared.push_back(d);
  for (const auto& d : before->differences)
    if (!after->differences.count(d)) c.gone.push_back(d);
  return c;
}

Result<ReportChanges> compare_report_files(const std::string& old_file,
                                           const std::string& new_file) {
  auto old_text = file::read(old_file);
  if (!old_text) return old_text.error();
  auto new_text = file::read(new_file);
  if (!new_text) return new_text.error();
  return compare_reports(*old_text, old_file, *new_text, new_file);
}

std::string console_report_changes(const ReportChanges& c) {
  std::string out = c.old_file + " → " + c.new_file + " (" + c.format + ")\n";
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out += std::string(title) + " (" + std::to_string(items.size()) + "):\n";
    for (const auto& i : items)
      out += "  " + i + "\n";
  };
  list("newly failing", c.newly_failing);
  list("newly passing", c.newly_passing);
  list("differences appeared", c.appeared);
  list("differences gone", c.gone);
  list("steps added", c.steps_added);
  list("steps removed", c.steps_removed);
  out += c.regressed() ? "regressed\n" : "no regression\n";
  return out;
}

std::string json_report_changes(const ReportChanges& c) {
  std::string out;
  json::Writer w(out, 2);
  w.begin_object();
  w.field("format", "konform-report-changes");
  w.field("version", 1);
  w.field("reports", c.format);
  w.field("old", c.old_file);
  w.field("new", c.new_file);
  w.field("regressed", c.regressed());
  for (auto [name, list] :
       {std::pair{"newlyFailing", &c.newly_failing}, std::pair{"newlyPassing", &c.newly_passing},
        std::pair{"appeared", &c.appeared}, std::pair{"gone", &c.gone},
        std::pair{"stepsAdded", &c.steps_added}, std::pair{"stepsRemoved", &c.steps_removed}}) {
    w.key(name).begin_array();
    for (const auto& s : *list)
      w.string(s);
    w.end_array();
  }
  w.end_object();
  return out + "\n";
}

} // namespace konform::diff
