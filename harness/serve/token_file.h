#pragma once
// `konform serve --token-file FILE`: the bearer token from a file instead of the command line,
// where every user of the machine can read it in `ps`.
#include "core/result.h"

#include <string>

namespace konform::serve {

// The token in `path`: one line, a trailing newline (LF or CRLF) dropped. Errors name the file
// and what is wrong (missing, unreadable, not a regular file, empty, more than one line) and
// never include the file's content.
Result<std::string> read_token_file(const std::string& path);

} // namespace konform::serve
