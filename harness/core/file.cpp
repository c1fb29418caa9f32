#include "core/file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace konform::file {

Result<std::string> read(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error(path + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write(const std::string& path, std::string_view content) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return make_error(path + ": cannot write (" + std::strerror(errno) + ")");
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) return make_error(path + ": write failed (" + std::strerror(errno) + ")");
  return Ok{};
}

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

} // namespace

Result<std::string> read_regular(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore the flag.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0) return make_error(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return make_error(path + ": cannot read (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode))
    return make_error(path + ": is " + kind_of(st.st_mode) + ", expected a regular file");
  // /proc and /sys files look regular, but they are the process's and the kernel's state
  // (/proc/self/environ holds the token's environment), not data a test should send or compare.
  struct statfs fs {};
  if (::fstatfs(f.fd, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC))
    return make_error(path + ": is a /proc or /sys file, expected a regular file");
  auto too_big = [&] {
    return Error{path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes",
                 ErrorKind::limit};
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(path + ": read failed (" + std::strerror(errno) + ")");
    }
    if (n == 0) break;
    // Files whose size stat does not tell (/proc, files growing meanwhile) stop at the limit.
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) return too_big();
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status write_regular(const std::string& path, std::string_view content) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return make_error(path + ": cannot create its folder (" + ec.message() + ")");
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
              0644)};
  if (f.fd < 0) {
    if (errno == ELOOP) return make_error(path + ": is a symbolic link; refusing to follow it");
    return make_error(path + ": cannot write (" + std::strerror(errno) + ")");
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(path + ": is " + kind_of(st.st_mode) + ", expected a regular file");
  if (::ftruncate(f.fd, 0) != 0)
    return make_error(path + ": cannot truncate (" + std::strerror(errno) + ")");
  while (!content.empty()) {
    ssize_t n = ::write(f.fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(path + ": write failed (" + std::strerror(errno) + ")");
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

} // namespace konform::file
