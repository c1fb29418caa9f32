#pragma once
// Random identifiers: version-4 UUIDs for client-request-ids, activity ids and command ids.
#include <string>
#include <string_view>

namespace konform::ids {

std::string uuid4();
// The same, appended to out (no temporary string; servers stamp several per response).
void append_uuid4(std::string& out);
// True for the 8-4-4-4-12 hexadecimal form (case-insensitive).
bool is_guid(std::string_view s);

} // namespace konform::ids
