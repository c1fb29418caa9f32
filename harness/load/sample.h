#pragma once
// --validate: one response in N per thread is captured whole and checked by the protocol
// validators. This is the check; the worker decides which responses are sampled and counts.
#include "load/response_parser.h"
#include "load/worker.h"

#include <optional>
#include <string>
#include <string_view>

namespace konform::load {

struct SampleVerdict {
  bool validated = false;           // the validators ran (counted as `validated`)
  std::optional<std::string> error; // the first violation (or undecodable body), for the report
};

// `capture`: the body as received (still encoded when the parser saw Content-Encoding).
SampleVerdict check_sample(const PreparedStep& step, const ResponseParser& parser,
                           std::string_view capture);

} // namespace konform::load
