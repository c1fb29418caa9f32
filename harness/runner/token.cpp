// Bearer tokens for --token, --token-file and --token-command. The token itself never appears in
// a message: errors name the source (file, command) and the reason only.
#include "core/file.h"
#include "core/text.h"
#include "runner/check_runner.h"

#include <sys/wait.h>

#include <cstdio>

namespace konform::runner {

Result<std::string> resolve_token(const std::string& token, const std::string& token_file,
                                  const std::string& token_command) {
  int given = !token.empty() + !token_file.empty() + !token_command.empty();
  if (given > 1) return make_error("give only one of --token, --token-file and --token-command");
  if (!token.empty()) return token;
  std::string value;
  if (!token_file.empty()) {
    auto content = file::read(token_file);
    if (!content) return make_error("--token-file: " + content.error().message);
    value = std::string(text::trim(*content));
    if (value.empty()) return make_error("--token-file " + token_file + " is empty");
  } else if (!token_command.empty()) {
    // The command's stdout is the token; its stderr goes to ours, so its own errors show.
    FILE* pipe = ::popen(token_command.c_str(), "r");
    if (!pipe) return make_error("--token-command: the command could not be started");
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
      value.append(buf, n);
    int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return make_error("--token-command: the command failed (exit status " +
                        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                        "); run it by hand to see why");
    value = std::string(text::trim(value));
    if (value.empty()) return make_error("--token-command printed nothing on standard output");
  }
  return value;
}

} // namespace konform::runner
