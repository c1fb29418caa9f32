#include "record/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace konform::record {

namespace fs = std::filesystem;

Status check_out(const std::string& out, bool force) {
  std::error_code ec;
  auto st = fs::symlink_status(out, ec);
  if (ec || !fs::exists(st)) return Ok{};
  if (!fs::is_regular_file(st))
    return make_error(out + ": exists and is not a regular file; choose another --out",
                      ErrorKind::exists);
  if (!force)
    return make_error(out + ": exists already; pass --force to overwrite it (and its goldens), "
                            "or choose another --out",
                      ErrorKind::exists);
  return Ok{};
}

Staging::~Staging() {
  if (committed_) return;
  for (const auto& [tmp, final_path] : staged_)
    ::unlink(tmp.c_str());
}

Status Staging::stage(const std::string& final_path, std::string_view content) {
  fs::path target(final_path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec)
    return make_error("cannot create the folder " + target.parent_path().string() + ": " +
                      ec.message());
  std::string pattern = final_path + ".konform-tmp-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return make_error("cannot write " + final_path + ": " + std::strerror(errno));
  staged_.emplace_back(pattern, final_path);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return make_error("cannot write " + final_path + ": " + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600; a recording is as readable as any other file the user writes.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0)
    return make_error("cannot write " + final_path + ": " + std::strerror(errno));
  return Ok{};
}

Status Staging::commit() {
  for (const auto& [tmp, final_path] : staged_) {
    std::error_code ec;
    // A directory or a link where the file should go is not replaced.
    auto st = fs::symlink_status(final_path, ec);
    if (!ec && fs::exists(st) && !fs::is_regular_file(st))
      return make_error(final_path + ": exists and is not a regular file; remove it or choose "
                                     "another --out / --golden");
    if (std::rename(tmp.c_str(), final_path.c_str()) != 0)
      return make_error("cannot move the recording into place at " + final_path + ": " +
                        std::strerror(errno));
    finals_.push_back(final_path);
  }
  committed_ = true;
  return Ok{};
}

} // namespace konform::record
