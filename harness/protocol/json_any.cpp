// Kind::json: any well-formed JSON document.
#include "protocol/json_syntax.h"
#include "protocol/validators.h"

namespace konform::protocol {

void validate_json(std::string_view body, Findings& out) {
  body = strip_bom(body, "json", out);
  (void)parse_or_report(body, "json.syntax", out);
}

} // namespace konform::protocol
