#pragma once
// ../shared beside the checkout holds reference material that is not part of the repository
// (real recorded responses of SDKs and ksqlDB's own tests). Tests that read it skip, saying what
// is missing, where it is absent (a fresh clone, a CI runner): the rest of the suite still runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace konform::test_support {

// The path of `relative` (e.g. "corpus/kusto") under ../shared.
inline std::string shared_path(const std::string& relative) {
  return std::string(KONFORM_SHARED_DIR) + "/" + relative;
}

} // namespace konform::test_support

// In a test body: skips the test unless ../shared/<relative> exists.
#define KONFORM_SKIP_WITHOUT_SHARED(relative)                                                      \
  do {                                                                                             \
    const std::string konform_shared_ = ::konform::test_support::shared_path(relative);            \
    if (!std::filesystem::exists(konform_shared_))                                                 \
      GTEST_SKIP() << konform_shared_ << " is not here: this test reads the reference material "   \
                   << "in ../shared (beside the checkout) and skips without it";                   \
  } while (false)
