#pragma once
// Identical values, decided on simdjson's tape: two parsed values whose tapes agree word for
// word (same types and nesting, same member names in the same order, the same string bytes, the
// same number bits) are equal for every comparison the tree comparer makes — unless a golden
// matcher
// ("{{guid}}") or a path matcher could judge the actual value on its own. One tight loop over
// the tape replaces a walk through the DOM accessors, so the unchanged bulk of a response (a
// Kusto row, a ksqlDB row) costs a scan and no path, lookup or type dispatch per cell.
#include <simdjson.h>

namespace konform::compare {

// True when `e` and `a` have identical tapes and no string in them starts with "{{" (which a
// golden file may use as a matcher). False means "compare them", not "different". Callers must
// not use it where a path matcher could apply (Rules::matchers).
bool same_tape(simdjson::dom::element e, simdjson::dom::element a);
bool same_tape(simdjson::dom::array e, simdjson::dom::array a);

// The number of elements of an array on the tape, saturated at 0xFFFFFF as simdjson stores it;
// 0 for anything that is not an array.
std::size_t tape_array_size(simdjson::dom::element v);

} // namespace konform::compare
