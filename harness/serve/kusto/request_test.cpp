#include "serve/kusto/request.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto {
namespace {

TEST(KustoCslForLog, KeepsTheCommandAndCutsItAt120Bytes) {
  EXPECT_EQ(csl_for_log(".show tables"), ".show tables");
  std::string long_query =
      "StormEvents | where State == 'TEXAS' " + std::string(200, ' ') + "| count";
  auto logged = csl_for_log(long_query);
  EXPECT_EQ(logged.size(), 123u);
  EXPECT_EQ(logged.substr(0, 30), long_query.substr(0, 30));
  EXPECT_EQ(logged.substr(120), "...");
}

// Never a SAS signature, a storage key or an obfuscated literal in the log, even past the cut.
TEST(KustoCslForLog, RedactsSecrets) {
  auto sas = csl_for_log(
      ".ingest into table T ('https://a.blob.core.windows.net/c/b.csv?sv=2021&sig=SECRET1') "
      "with (format='csv')");
  EXPECT_EQ(sas.find("SECRET1"), std::string::npos) << sas;
  EXPECT_NE(sas.find("'https://a.blob.core.windows.net/c/b.csv?REDACTED'"), std::string::npos)
      << sas;
  auto key = csl_for_log(".export to csv (h@'https://a.blob.core.windows.net/c;SECRET2') <| T");
  EXPECT_EQ(key.find("SECRET2"), std::string::npos) << key;
  EXPECT_NE(key.find("h@'***'"), std::string::npos) << key;
  auto account = csl_for_log(".ingest into T (\"https://a.blob.core.windows.net/c/b;SECRET3\")");
  EXPECT_EQ(account.find("SECRET3"), std::string::npos) << account;
  auto hidden = csl_for_log("print h'SECRET4', h\"SECRET5\"");
  EXPECT_EQ(hidden, "print h'***', h\"***\"");
  auto bare = csl_for_log("print x sig=SECRET6&se=1");
  EXPECT_EQ(bare, "print x sig=REDACTED&se=1");
  // A literal that starts before the cut is hidden whole, not printed up to the cut.
  auto late = csl_for_log(std::string(110, 'x') + " h'SECRET7SECRET7SECRET7'");
  EXPECT_EQ(late.find("SECRET7"), std::string::npos) << late;
  auto unterminated = csl_for_log("print h'SECRET8");
  EXPECT_EQ(unterminated.find("SECRET8"), std::string::npos) << unterminated;
}

} // namespace
} // namespace konform::serve::kusto
