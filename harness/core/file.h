#pragma once
#include "core/result.h"

#include <cstddef>
#include <string>

namespace konform::file {

// Reads a whole file; the error names the path and the reason (missing, a directory, no
// permission).
Result<std::string> read(const std::string& path);
Status write(const std::string& path, std::string_view content);

// Reads a file named by untrusted input (a scenario's bodyFile, a golden file): only a regular
// file of at most max_bytes. FIFOs, devices, sockets, directories and /proc or /sys files are
// refused without blocking or reading (a FIFO is opened non-blocking, /dev/zero is never read),
// and a longer
// file is refused after max_bytes + 1 bytes; the error names the file, and the limit when it is
// the limit (ErrorKind::limit).
Result<std::string> read_regular(const std::string& path, std::size_t max_bytes);

// Writes a file named by untrusted input (a golden file): parent folders are created, but the
// file itself must be a regular file or not exist yet. A symbolic link as the last component is
// refused rather than followed (a dangling link would otherwise create its target wherever it
// points), and so are FIFOs and devices (never opened for blocking writes).
Status write_regular(const std::string& path, std::string_view content);

} // namespace konform::file
