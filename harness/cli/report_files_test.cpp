// The report files every command writes: what a CI job finds on disk and on stderr when one of
// them cannot be written.
#include "cli/report_files.h"
#include "core/file.h"
#include "test_support/scratch_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace konform::cli {
namespace {

using ::testing::HasSubstr;

TEST(ReportFiles, AnUnwritableReportIsNamedAndExitsThreeButTheOthersAreStillWritten) {
  test_support::ScratchDir dir;
  std::ostringstream err;
  ReportFiles files("konform check", "", err);
  // Under a regular file: no folder can be made there.
  const auto missing = dir.write("a-file", "x") + "/run.xml";
  files.write("--junit", missing, [] { return std::string("<testsuites/>"); });
  files.write("--json", dir.path("run.json"), [] { return std::string("{}"); });
  EXPECT_THAT(err.str(), HasSubstr("konform check: --junit: " + missing + ": cannot write"));
  auto json = file::read(dir.path("run.json"));
  ASSERT_TRUE(json.ok()) << "the report after the failed one was not written";
  EXPECT_EQ(*json, "{}");
  EXPECT_EQ(files.exit_code(exit_failed), exit_runtime);
}

TEST(ReportFiles, NoReportByteCarriesTheTokenAndAReportNotAskedForIsNotRendered) {
  test_support::ScratchDir dir;
  std::ostringstream err;
  ReportFiles files("konform diff", "s3cr3t-token", err);
  files.write("--json", dir.path("d.json"),
              [] { return std::string("{\"echo\":\"s3cr3t-token\"}"); });
  bool rendered = false;
  files.write("--html", "", [&] {
    rendered = true;
    return std::string();
  });
  EXPECT_FALSE(rendered);
  EXPECT_EQ(*file::read(dir.path("d.json")), "{\"echo\":\"***\"}");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(files.exit_code(exit_failed), exit_failed); // the run's own verdict stands
}

} // namespace
} // namespace konform::cli
