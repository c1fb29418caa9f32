// The KQL subset `konform serve` executes and its management commands: any text is a result or
// a proper SYN/SEM error (serve/kusto/cluster/kql.h, commands.h), never a crash. A query runs
// against the bundled sample database; a command (text starting with '.') against a fresh copy,
// since commands change the catalog. A selector byte (fuzz_input.h) adds request parameters.
#include "fuzz/fuzz_input.h"
#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/cluster/kql.h"

namespace cluster = konform::serve::kusto::cluster;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = konform::fuzz::as_text(data, size);
  auto selector = konform::fuzz::take_selector(text);
  if (!text.empty() && text.front() == '.') {
    cluster::Catalog catalog;
    cluster::load_sample(catalog);
    (void)cluster::run_command(catalog, "Samples", text);
    return 0;
  }
  static cluster::Catalog* sample = [] {
    auto* c = new cluster::Catalog;
    cluster::load_sample(*c);
    return c;
  }();
  cluster::QueryParameters parameters;
  if (selector) parameters = {{"n", "3"}, {"state", "\"TEXAS\""}, {"when", "datetime(2007-01-01)"}};
  cluster::QueryTrace trace;
  (void)cluster::run_query(*sample, "Samples", text, parameters, &trace);
  return 0;
}
