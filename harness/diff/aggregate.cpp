#include "diff/aggregate.h"

#include <algorithm>
#include <set>

namespace konform::diff {

void Aggregator::add(const std::string& scenario, const std::string& step, const Response& baseline,
                     const Response& candidate, const std::vector<PathDifference>& differences,
                     const Noise& noise) {
  std::set<std::string> seen; // a path counts once per pair, however many rows differ there
  for (const auto& d : differences) {
    if (!seen.insert(d.path).second) continue;
    const NoiseEntry* n = noise.find(scenario, step, d.path);
    auto [it, fresh] = groups_.try_emplace(d.path);
    Group& g = it->second;
    if (fresh) {
      g.path = d.path;
      g.noise = true;
    }
    ++g.count;
    g.noise = g.noise && n != nullptr;
    if (n) g.noise_rate = std::max(g.noise_rate, n->rate);
    if (g.examples.size() < 3)
      g.examples.push_back({scenario, step, d.first, d.second, baseline.client_request_id,
                            candidate.client_request_id, d.message});
  }
}

std::vector<Group> Aggregator::groups() const {
  std::vector<Group> out;
  for (const auto& [path, g] : groups_) {
    out.push_back(g);
    if (!g.noise) out.back().noise_rate = 0;
  }
  std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.noise != b.noise) return !a.noise;
    return a.path < b.path;
  });
  return out;
}

} // namespace konform::diff
