#pragma once
// A scratch folder for one test, removed with everything in it when the test ends. Header-only:
// test programs of every module include it; nothing in the shipped binary does.
#include "core/file.h"
#include "core/ids.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace konform::test_support {

class ScratchDir {
public:
  explicit ScratchDir(std::string_view prefix = "konform-test")
      : path_(std::filesystem::temp_directory_path() / (std::string(prefix) + "-" + ids::uuid4())) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `content` to name (sub-folders are created) and returns the file's path.
  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    EXPECT_TRUE(file::write(p.string(), content).ok()) << p;
    return p.string();
  }
  // The folder itself (no trailing slash), or the path of `name` inside it.
  std::string path(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

private:
  std::filesystem::path path_;
};

} // namespace konform::test_support
