#pragma once
// Exchanges → scenario file(s), golden files and body files: the one conversion both the
// recording proxy and --from-har use, so the same exchanges give the same scenario.
//
// Each exchange becomes a step: method; path; the request headers that matter (hop-by-hop
// headers, Host, Content-Length, Content-Encoding, the client's own x-ms-client-request-id and
// the secret headers are dropped); the body (JSON inline, anything else byte for byte in a
// bodyFile, a gzip body stored decompressed with "gzip": true); expect.status; expect.protocol
// (from the path and the body); the golden in the canonical form --update-golden writes; for a
// ksqlDB push query that was still streaming when the recording stopped, streamForMs.
// Exchanges of both services give two scenarios: FILE.json (Kusto) and FILE.ksql.json.
#include "core/result.h"
#include "record/exchange.h"
#include "record/output.h"

#include <string>
#include <vector>

namespace konform::record {

struct ConvertOptions {
  std::string out;        // the scenario file
  std::string golden_dir; // default: FILE.golden/ beside the scenario
  std::string name;       // default: the scenario file's stem
  bool correlate = true;
  std::size_t max_body = std::size_t(1) << 30; // largest body read back or decompressed
};

struct Summary {
  std::vector<std::string> scenarios; // files written, scenario files only
  std::size_t steps = 0;
  std::size_t goldens = 0;
  std::size_t body_files = 0;
  std::vector<std::string> correlations; // one line per ${variable} use
  std::vector<std::string> redactions;   // one line per place and kind of secret
  std::vector<std::string> warnings;     // an exchange that could not be converted as it was
};

// Stages every file of the recording (nothing is in place before staging.commit()).
Result<Summary> convert(const std::vector<Exchange>& exchanges, const ConvertOptions& options,
                        Staging& staging);

// The default golden folder and the second scenario's path for an --out.
std::string default_golden_dir(const std::string& out);
std::string ksql_scenario_path(const std::string& out);

} // namespace konform::record
