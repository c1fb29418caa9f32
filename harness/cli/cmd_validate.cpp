// `konform validate FILE... [--as KIND] [--json FILE]`: protocol validation of saved responses.
// Exit codes: 2 when any file is unreadable (or not JSON where JSON is needed), else 1 when any
// file has a violation, else 0. In-band errors and warnings alone do not fail: the response
// followed the protocol, it just reports a failure (or something unusual).
#include "cli/app.h"
#include "cli/report_files.h"
#include "core/text.h"
#include "protocol/validate_files.h"
#include "vocabulary/kind.h"

#include <cxxopts.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace konform::cli {
namespace {

int validate_main(int argc, char** argv) {
  cxxopts::Options opts("konform validate",
                        "Check saved responses against the Kusto and ksqlDB protocols.");
  opts.positional_help("FILE...");
  opts.add_options()("as", "Kind of every FILE instead of detecting it: " + protocol::kind_list(),
                     cxxopts::value<std::string>())(
      "json", "Also write the result as versioned JSON to this file",
      cxxopts::value<std::string>())(
      "max-body",
      "Largest decompressed body of a recorded exchange (e.g. 64MiB, 1GiB); larger is "
      "unreadable input",
      cxxopts::value<std::string>()->default_value("256MiB"))(
      "q,quiet", "Print only files that are not conformant")(
      "files", "Response files", cxxopts::value<std::vector<std::string>>())("h,help",
                                                                             "Show this help");
  opts.parse_positional({"files"});
  auto args = opts.parse(argc, argv);
  if (args.count("help")) {
    std::cout << opts.help() << "\n";
    return exit_ok;
  }
  if (!args.count("files")) {
    std::cerr << "konform validate: no FILE given (see konform validate --help)\n";
    return exit_bad_input;
  }
  std::optional<protocol::Kind> as;
  if (args.count("as")) {
    as = protocol::parse_kind(args["as"].as<std::string>());
    if (!as) {
      std::cerr << "konform validate: --as " << args["as"].as<std::string>()
                << " is not a kind; use one of " << protocol::kind_list() << "\n";
      return exit_bad_input;
    }
  }
  bool quiet = args.count("quiet") > 0;
  auto max_body = text::parse_size(args["max-body"].as<std::string>());
  if (!max_body || *max_body == 0 || *max_body > (std::uint64_t(1) << 40)) {
    std::cerr << "konform validate: --max-body " << args["max-body"].as<std::string>()
              << ": write a size between 1 byte and 1TiB, e.g. 1048576, 64KiB, 256MiB\n";
    return exit_bad_input;
  }

  std::vector<protocol::FileResult> results;
  bool unreadable = false, violation = false;
  for (const auto& path : args["files"].as<std::vector<std::string>>()) {
    auto r = protocol::validate_file(path, as, static_cast<std::size_t>(*max_body));
    auto v = protocol::verdict(r);
    unreadable = unreadable || v == "unreadable";
    violation = violation || v == "violation";
    if (v == "unreadable")
      std::cerr << "konform validate: " << r.input_error << "\n";
    else if (!quiet || v != "conformant")
      std::cout << protocol::render_text(r);
    results.push_back(std::move(r));
  }
  int code = unreadable ? exit_bad_input : violation ? exit_failed : exit_ok;
  ReportFiles files("konform validate");
  files.write("--json", args.count("json") ? args["json"].as<std::string>() : std::string(),
              [&] { return protocol::render_json(results, code); });
  return files.exit_code(code);
}

const bool registered = register_command(
    {"validate", "check saved responses against the Kusto and ksqlDB protocols", validate_main});

} // namespace
} // namespace konform::cli
