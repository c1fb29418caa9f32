#include "load/merge.h"

#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "load/options.h"
#include "load/report.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace konform::load {
namespace {

// Each step holds three histograms (~0.5 MiB): a log naming a million steps must not take 500 GB.
constexpr std::size_t max_merge_steps = 256;

constexpr std::string_view summary_prefix = "[konform-summary: ";
constexpr std::string_view step_prefix = "step:";
constexpr std::string_view step_uncorrected_prefix = "step-uncorrected:";

std::uint64_t u64(simdjson::dom::element e, std::string_view key) {
  std::uint64_t v = 0;
  if (e[key].get(v) != simdjson::SUCCESS) {
    std::int64_t s = 0;
    if (e[key].get(s) == simdjson::SUCCESS && s > 0) v = static_cast<std::uint64_t>(s);
  }
  return v;
}

double dbl(simdjson::dom::element e, std::string_view key) {
  double v = 0;
  if (e[key].get(v) == simdjson::SUCCESS) return v;
  return static_cast<double>(u64(e, key));
}

void read_counters(simdjson::dom::element e, Counters& c) {
  c.requests += u64(e, "requests");
  c.bytes += u64(e, "bytes");
  simdjson::dom::object status;
  if (e["status"].get(status) == simdjson::SUCCESS)
    for (auto [k, v] : status) {
      std::uint64_t n = 0;
      if (v.get(n) == simdjson::SUCCESS) c.status[std::atoi(std::string(k).c_str())] += n;
    }
  simdjson::dom::element errors;
  if (e["errors"].get(errors) == simdjson::SUCCESS) {
    c.errors.connect += u64(errors, "connect");
    c.errors.read += u64(errors, "read");
    c.errors.write += u64(errors, "write");
    c.errors.timeout += u64(errors, "timeout");
    c.errors.status += u64(errors, "status");
    c.errors.protocol += u64(errors, "protocol");
    c.errors.malformed += u64(errors, "malformed");
    if (errors["failed_responses"].error() == simdjson::SUCCESS) {
      // At most one per response, whatever a damaged summary says (else a rate above 100 %).
      c.errors.failed_responses += std::min(u64(e, "requests"), u64(errors, "failed_responses"));
    } else { // a log of an older build: its responses in status or protocol, at most once each
      c.errors.failed_responses +=
          std::min(u64(e, "requests"), u64(errors, "status") + u64(errors, "protocol"));
    }
  }
}

// A distributed run is whole when every shard 0..N-1 of one N is there exactly once.
void report_shards(const std::map<unsigned, std::map<unsigned, std::vector<std::string>>>& shards,
                   std::vector<std::string>& incomplete) {
  if (shards.size() > 1) {
    std::string counts;
    for (const auto& [n, by_index] : shards)
      counts += (counts.empty() ? "" : ", ") + std::string("N=") + std::to_string(n) + " (" +
                by_index.begin()->second.front() + ")";
    incomplete.push_back("shards of different runs: " + counts +
                         " (merge the logs of one run, whose --shard i/N all have the same N)");
  }
  for (const auto& [n, by_index] : shards) {
    std::string missing;
    unsigned missing_count = 0;
    for (unsigned i = 0; i < n; ++i) {
      const auto it = by_index.find(i);
      if (it == by_index.end()) {
        if (++missing_count <= 20)
          missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(n);
        continue;
      }
      if (it->second.size() > 1) {
        std::string files;
        for (const auto& f : it->second)
          files += (files.empty() ? "" : ", ") + f;
        incomplete.push_back("shard " + std::to_string(i) + "/" + std::to_string(n) + " given " +
                             std::to_string(it->second.size()) + " times (" + files +
                             "): its share is counted more than once");
      }
    }
    if (missing_count > 0)
      incomplete.push_back(
          std::to_string(missing_count) + " of " + std::to_string(n) + " shards missing (" +
          missing + (missing_count > 20 ? ", ..." : "") +
          "): no finished log of them among the inputs, so the merged totals lack their share "
          "of the schedule (did a shard fail? see its pod's log)");
  }
}

} // namespace

std::string hlog_interval_lines(const IntervalView& v, double base_epoch_s) {
  const double start = v.start_epoch_s - base_epoch_s;
  std::string out;
  if (v.corrected) out += hlog_line("", start, v.length_s, *v.corrected);
  if (v.uncorrected) out += hlog_line("uncorrected", start, v.length_s, *v.uncorrected);
  if (v.lag) out += hlog_line("lag", start, v.length_s, *v.lag);
  for (const auto& s : v.steps) {
    if (s.corrected)
      out += hlog_line(std::string(step_prefix) + s.name, start, v.length_s, *s.corrected);
    if (s.uncorrected)
      out += hlog_line(std::string(step_uncorrected_prefix) + s.name, start, v.length_s,
                       *s.uncorrected);
  }
  return out;
}

std::string hlog_summary_comment(const LoadResult& r) {
  std::string out = "#";
  out += summary_prefix;
  json::Writer w(out);
  w.begin_object();
  w.field("version", LoadResult::json_version);
  w.field("model", r.open_model ? "open" : "closed");
  w.field("duration_s", r.duration_s);
  w.field("target_rps", r.target_rate);
  write_counters(w, r.counters);
  w.field("sent", r.sent);
  w.field("late", r.late);
  w.field("dropped", r.dropped);
  w.field("unfinished", r.unfinished);
  w.field("validated", r.validated);
  w.field("violations", r.violations);
  for (const auto& setting : r.settings) // the run's identity, for merge and --baseline
    for (const char* key : {"shard", "threads", "connections"})
      if (setting.starts_with(std::string(key) + "="))
        w.field(key, setting.substr(std::strlen(key) + 1));
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    w.begin_object();
    w.field("name", hlog_tag(s.name));
    write_counters(w, s.counters);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += "]\n";
  return out;
}

Result<MergeOutcome> merge_hlogs(const std::vector<MergeInput>& inputs) {
  MergeOutcome out;
  LoadResult& r = out.result;
  r.tool = "konform merge";
  std::map<std::string, StepResult, std::less<>> steps; // by tag, in name order
  std::vector<std::string> step_order;
  double first_start = 0, last_end = 0, max_duration = 0;
  bool any = false, all_have_summary = true;
  std::map<unsigned, std::map<unsigned, std::vector<std::string>>> shards; // N → i → files
  std::uint64_t threads = 0, connections = 0;
  bool all_have_connections = true;
  std::size_t entries = 0;
  std::size_t beyond_steps = 0; // lines and summaries of steps past max_merge_steps
  auto step = [&](std::string_view name) -> StepResult* {
    auto it = steps.find(name);
    if (it != steps.end()) return &it->second;
    if (steps.size() >= max_merge_steps) {
      ++beyond_steps;
      return nullptr;
    }
    it = steps.try_emplace(std::string(name)).first;
    it->second.name = std::string(name);
    step_order.push_back(std::string(name));
    return &it->second;
  };

  for (const auto& in : inputs) {
    bool konform_tags = false; // lines only konform writes: its logs end with a summary
    auto info = read_hlog(in.text, in.origin, [&](HlogEntry& e) {
      ++entries;
      konform_tags |= !e.tag.empty();
      if (!any || e.start_s < first_start) first_start = e.start_s;
      last_end = std::max(last_end, e.start_s + e.length_s);
      any = true;
      Status added = Ok{};
      if (e.tag.empty()) {
        added = r.corrected.add(e.histogram);
      } else if (e.tag == "uncorrected") {
        added = r.uncorrected.add(e.histogram);
      } else if (e.tag == "lag") {
        r.open_model = true;
        added = r.lag.add(e.histogram);
      } else if (e.tag.starts_with(step_prefix)) {
        if (auto* s = step(std::string_view(e.tag).substr(step_prefix.size())))
          added = s->corrected.add(e.histogram);
      } else if (e.tag.starts_with(step_uncorrected_prefix)) {
        // Absent in logs of konform before step-uncorrected: the step's uncorrected stays empty.
        if (auto* s = step(std::string_view(e.tag).substr(step_uncorrected_prefix.size())))
          added = s->uncorrected.add(e.histogram);
      }
      if (!added.ok())
        out.problems.push_back(in.origin + ":" + std::to_string(e.line) +
                               ":1: " + added.error().message);
    });
    if (!info) return info.error();
    for (auto& p : info->problems)
      out.problems.push_back(std::move(p));
    bool has_summary = false;
    for (const auto& comment : info->comments) {
      if (!comment.starts_with(summary_prefix)) continue;
      auto body = std::string_view(comment).substr(summary_prefix.size());
      if (body.ends_with(']')) body.remove_suffix(1);
      auto doc = json::Document::parse(body, in.origin + " (konform-summary)");
      if (!doc) {
        out.problems.push_back(doc.error().message);
        continue;
      }
      has_summary = true;
      auto root = doc->root();
      std::string_view model;
      if (root["model"].get(model) == simdjson::SUCCESS && model == "open") r.open_model = true;
      max_duration = std::max(max_duration, dbl(root, "duration_s"));
      r.target_rate += dbl(root, "target_rps");
      read_counters(root, r.counters);
      r.sent += u64(root, "sent");
      r.late += u64(root, "late");
      r.dropped += u64(root, "dropped");
      r.unfinished += u64(root, "unfinished");
      r.validated += u64(root, "validated");
      r.violations += u64(root, "violations");
      std::string_view text;
      if (root["shard"].get(text) == simdjson::SUCCESS)
        if (auto shard = parse_shard(text)) shards[shard->count][shard->index].push_back(in.origin);
      std::string_view t, c;
      if (root["threads"].get(t) == simdjson::SUCCESS &&
          root["connections"].get(c) == simdjson::SUCCESS) {
        threads += static_cast<std::uint64_t>(text::parse_int(t).value_or(0));
        connections += static_cast<std::uint64_t>(text::parse_int(c).value_or(0));
      } else {
        all_have_connections = false;
      }
      simdjson::dom::array arr;
      if (root["steps"].get(arr) == simdjson::SUCCESS)
        for (auto s : arr) {
          std::string_view name;
          if (s["name"].get(name) != simdjson::SUCCESS) continue;
          if (auto* st = step(name)) read_counters(s, st->counters);
        }
    }
    all_have_summary &= has_summary;
    all_have_connections &= has_summary;
    if (!has_summary && konform_tags)
      out.incomplete.push_back(
          in.origin +
          ": no closing #[konform-summary] line: the konform load that wrote it did not finish "
          "(killed, failed or still running); its histograms are merged, its counters (status "
          "codes, errors, dropped sends) are missing");
  }
  report_shards(shards, out.incomplete);
  if (entries == 0)
    return make_error("no readable interval in " + std::to_string(inputs.size()) + " log(s)" +
                      (out.problems.empty() ? "" : ": " + out.problems.front()));
  // Shards run side by side: the window is the longest process's, not the sum.
  r.duration_s = max_duration > 0 ? max_duration : last_end - first_start;
  if (!all_have_summary) {
    // Logs from other tools carry no counters: count what the histograms hold.
    r.counters.requests = std::max<std::uint64_t>(
        r.counters.requests, static_cast<std::uint64_t>(r.corrected.total_count()));
  }
  if (beyond_steps > 0)
    out.problems.push_back(std::to_string(beyond_steps) +
                           " interval(s) or summaries of steps after the first " +
                           std::to_string(max_merge_steps) +
                           " distinct ones were left out (each step holds ~0.5 MiB of histograms); "
                           "the totals still include them");
  for (const auto& name : step_order)
    r.steps.push_back(std::move(steps[name]));
  if (all_have_connections && connections > 0) { // the whole run's, summed over its shards
    r.settings.push_back("threads=" + std::to_string(threads));
    r.settings.push_back("connections=" + std::to_string(connections));
  }
  r.settings.push_back("inputs=" + std::to_string(inputs.size()));
  r.settings.push_back("intervals=" + std::to_string(entries));
  return out;
}

} // namespace konform::load
