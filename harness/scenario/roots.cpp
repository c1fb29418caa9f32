#include "scenario/roots.h"

#include <filesystem>

namespace konform::scenario {

namespace fs = std::filesystem;

std::string resolved(const std::string& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = fs::path(path);
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  if (ec) canonical = absolute.lexically_normal();
  std::string s = canonical.string();
  while (s.size() > 1 && s.back() == '/')
    s.pop_back();
  return s;
}

std::string default_root(const std::string& path) {
  std::error_code ec;
  std::string start = resolved(path);
  if (!fs::is_directory(start, ec)) start = fs::path(start).parent_path().string();
  for (fs::path dir = start;; dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", ec)) return dir.string();
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  return start;
}

bool within_roots(const std::string& path, const std::vector<std::string>& roots) {
  std::string p = resolved(path);
  for (const auto& root : roots) {
    if (root == "/" || p == root) return true;
    if (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/')
      return true;
  }
  return false;
}

Result<std::string> confined(const std::string& dir, std::string_view name,
                             const std::vector<std::string>& roots) {
  fs::path given(name);
  if (given.is_absolute())
    return make_error("\"" + std::string(name) +
                      "\" is an absolute path; write it relative to the scenario file");
  std::string path = (fs::path(dir) / given).lexically_normal().string();
  if (within_roots(path, roots)) return path;
  std::string list;
  for (const auto& r : roots)
    list += (list.empty() ? "" : ", ") + r;
  return make_error("\"" + std::string(name) + "\" resolves to " + resolved(path) +
                    ", outside the folder tree this run may use (" + list +
                    "); keep the file inside it, or widen it with check --root DIR");
}

} // namespace konform::scenario
