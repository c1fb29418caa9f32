#pragma once
// Two responses to the same request compared with check's comparison: the status, the response
// headers (without the framing ones — Content-Length, Transfer-Encoding, Connection, Keep-Alive —
// which follow from the body; and without the volatile ones while the protocol defaults are on),
// and the body semantically by protocol. Every difference gets its normalised path.
#include "compare/compare.h"
#include "diff/model.h"

#include <vector>

namespace konform::diff {

// The bodies are borrowed for the parse (simdjson's padding is appended and removed again, as
// BodyComparer::compare_in_place does) and end unchanged.
std::vector<PathDifference> compare_responses(Response& first, Response& second,
                                              protocol::Kind kind, const compare::Rules& rules,
                                              compare::BodyComparer& comparer);

} // namespace konform::diff
