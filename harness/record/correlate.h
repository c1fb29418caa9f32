#pragma once
// Correlation: a value a response produced and a later request sends back becomes a capture of
// that response and a ${variable} in the later request, so a recording replays against a fresh
// server (whose ids differ) instead of sending the recorded ids. The rules:
//   - Producers: in a response that is one JSON document (not a /query stream), a string of 4 to
//     256 characters under the key commandId or queryId, or — when it holds a digit, as made-up
//     ids and generated names do — under any key ending in "Id", "ID", "id", "Name" or "name"
//     (except Kusto's result metadata TableName/ColumnName), that no earlier request sent (a
//     value the client chose stays literal); and the number under commandSequenceNumber.
//   - Consumers: a later request whose path, header values or JSON body strings hold the string as
//     a whole token (not inside a longer word), or whose JSON body has commandSequenceNumber equal
//     to the number.
//   - The latest response that produced a value wins; the variable is named after its key
//     (commandId, commandId_2, ...).
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

namespace konform::record {

struct RequestView {
  std::string path;                           // path and query
  std::vector<std::string> header_values;     // the headers the step keeps
  std::optional<simdjson::dom::element> body; // a JSON body, parsed
};

struct Substitution {
  std::string value;    // a string value, or a number's JSON text
  std::string variable; // without ${ }
  bool number = false;  // commandSequenceNumber: the whole JSON number becomes "${variable}"
};

struct CaptureSpec {
  std::string variable;
  std::string path; // JSON path into the response, e.g. $[0].commandId
};

struct Correlation {
  std::vector<std::vector<CaptureSpec>> captures; // per step
  std::vector<std::vector<Substitution>> uses;    // per step, longest value first
  std::vector<std::string> notes; // "step 3 uses ${commandId} captured by step 2 at $[0].commandId"
};

// requests[i] and responses[i] belong to step i; a response is nullopt when it is not one JSON
// document. step_names label the notes.
Correlation correlate(const std::vector<RequestView>& requests,
                      const std::vector<std::optional<simdjson::dom::element>>& responses,
                      const std::vector<std::string>& step_names);

// Replaces each value of `uses` found as a whole token in `text` with ${variable}, and escapes
// every other "${" as "$${" (a literal in a scenario file).
std::string substitute(std::string_view text, const std::vector<Substitution>& uses);

// The JSON text of `body` with the substitutions applied to its string values and to
// commandSequenceNumber numbers; compact, keys in document order.
std::string substitute_json(simdjson::dom::element body, const std::vector<Substitution>& uses);

} // namespace konform::record
