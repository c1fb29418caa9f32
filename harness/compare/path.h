#pragma once
// JSON paths of the comparison, which are json::Path's: the path of the value being compared is a
// stack of steps whose names point into the parsed documents (walking costs no allocation; the
// text is built only when a difference is reported), and the patterns of Rules ($.a, $[0], $[*],
// $.*, $..Key) are json::PathPattern's, matched against it.
#include "json/path.h"

namespace konform::compare {

using Segment = json::PathStepRef;
using Pattern = json::PathPattern;

class Path : public json::PathRef {
public:
  // Deeper documents than this are rare: the stack then never grows while comparing.
  Path() { reserve(32); }
};

} // namespace konform::compare
