// Everything fixed before the first send: the weighted step cycle, the shard, and each step's
// request bytes (serialised once; the hot path only writes them).
#include "core/gzip.h"
#include "core/text.h"
#include "load/worker.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace konform::load {

std::vector<std::uint16_t> weighted_cycle(const std::vector<Step>& steps) {
  std::vector<std::int64_t> weight, current(steps.size(), 0);
  for (const auto& s : steps)
    weight.push_back(std::max<std::int64_t>(1, s.weight));
  const auto total = std::accumulate(weight.begin(), weight.end(), std::int64_t(0));
  std::vector<std::uint16_t> cycle;
  cycle.reserve(static_cast<std::size_t>(total));
  for (std::int64_t n = 0; n < total; ++n) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      current[i] += weight[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    cycle.push_back(static_cast<std::uint16_t>(best));
  }
  return cycle;
}

Result<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  const auto bad = [&] {
    return make_error("--shard '" + std::string(text) +
                      "': expected i/N with 0 <= i < N, e.g. 0/4 .. 3/4 (i is "
                      "JOB_COMPLETION_INDEX in a Kubernetes Indexed Job)");
  };
  if (slash == std::string_view::npos) return bad();
  auto i = text::parse_int(text.substr(0, slash));
  auto n = text::parse_int(text.substr(slash + 1));
  if (!i || !n || *n < 1 || *i < 0 || *i >= *n || *n > 65535) return bad();
  return Shard{static_cast<unsigned>(*i), static_cast<unsigned>(*n)};
}

namespace {

// The request as HTTP/2 header fields: pseudo-headers first, names in lower case (RFC 9113
// §8.2.1), and none of the connection-specific fields HTTP/2 forbids (§8.2.2).
std::vector<std::pair<std::string, std::string>> h2_fields(const Step& step,
                                                           const LoadOptions& options,
                                                           const std::string& authority,
                                                           std::size_t body_size) {
  std::vector<std::pair<std::string, std::string>> f;
  f.emplace_back(":method", step.request.method);
  f.emplace_back(":scheme", options.origin.tls ? "https" : "http");
  f.emplace_back(":authority", authority);
  f.emplace_back(":path", step.request.target);
  bool has_agent = false, has_auth = false, has_encoding = false;
  for (const auto& [name, value] : step.request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "host" || lower == "content-length" || lower == "connection" ||
        lower == "keep-alive" || lower == "proxy-connection" || lower == "transfer-encoding" ||
        lower == "upgrade" || lower == "te")
      continue;
    has_agent |= lower == "user-agent";
    has_auth |= lower == "authorization";
    has_encoding |= lower == "content-encoding";
    f.emplace_back(std::move(lower), value);
  }
  if (!has_agent) f.emplace_back("user-agent", "konform/" KONFORM_VERSION);
  if (!has_auth && !options.bearer_token.empty())
    f.emplace_back("authorization", "Bearer " + options.bearer_token);
  if (step.gzip_body && !has_encoding && !step.request.body.empty())
    f.emplace_back("content-encoding", "gzip");
  if (body_size > 0 || step.request.method == "POST" || step.request.method == "PUT")
    f.emplace_back("content-length", std::to_string(body_size));
  return f;
}

} // namespace

std::vector<PreparedStep> prepare_steps(const LoadOptions& options) {
  std::vector<PreparedStep> out;
  const auto& origin = options.origin;
  const bool default_port =
      (origin.tls && origin.port == 443) || (!origin.tls && origin.port == 80);
  const std::string host_header =
      (origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host) +
      (default_port ? "" : ":" + std::to_string(origin.port));
  for (const auto& step : options.steps) {
    PreparedStep p;
    p.name = step.name;
    p.head = text::iequals(step.request.method, "HEAD");
    p.streaming = step.streaming;
    p.stream_for = step.stream_for;
    p.kind = step.kind;
    std::string body = step.request.body;
    if (step.gzip_body && !body.empty()) body = gzip::compress(body);
    std::string& w = p.wire;
    w = step.request.method + " " + step.request.target + " HTTP/1.1\r\n";
    w += "Host: " + host_header + "\r\n";
    bool has_agent = false, has_auth = false, has_encoding = false;
    for (const auto& [name, value] : step.request.headers) {
      if (text::iequals(name, "host") || text::iequals(name, "content-length"))
        continue; // ours are the ones that match the bytes we send
      has_agent |= text::iequals(name, "user-agent");
      has_auth |= text::iequals(name, "authorization");
      has_encoding |= text::iequals(name, "content-encoding");
      if (text::iequals(name, "accept")) p.accept = value;
      w += name + ": " + value + "\r\n";
    }
    if (!has_agent) w += "User-Agent: konform/" KONFORM_VERSION "\r\n";
    if (!has_auth && !options.bearer_token.empty())
      w += "Authorization: Bearer " + options.bearer_token + "\r\n";
    if (step.gzip_body && !has_encoding && !step.request.body.empty())
      w += "Content-Encoding: gzip\r\n";
    if (!body.empty() || step.request.method == "POST" || step.request.method == "PUT")
      w += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    w += "\r\n";
    w += body;
    p.fields = h2_fields(step, options, host_header, body.size());
    p.body = std::move(body);
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace konform::load
