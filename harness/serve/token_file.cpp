#include "serve/token_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace konform::serve {

Result<std::string> read_token_file(const std::string& path) {
  // A token is short; a FIFO or /dev/zero must not hang or exhaust memory at startup.
  constexpr std::size_t max_size = 64 * 1024;
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    return make_error("--token-file " + path + ": no such file");
  if (!std::filesystem::is_regular_file(status))
    return make_error("--token-file " + path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("--token-file " + path + ": cannot open (" + std::strerror(errno) + ")");
  std::string token(max_size + 1, '\0');
  in.read(token.data(), static_cast<std::streamsize>(token.size()));
  token.resize(static_cast<std::size_t>(in.gcount()));
  if (token.size() > max_size)
    return make_error("--token-file " + path + ": larger than " + std::to_string(max_size) +
                      " bytes; it should hold only the token");
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty())
    return make_error("--token-file " + path + ": empty; write the token into it (one line)");
  for (char c : token)
    if (c == '\n' || c == '\r' || c == '\0')
      return make_error("--token-file " + path +
                        ": holds more than one line; it should hold only the token");
  return token;
}

} // namespace konform::serve
