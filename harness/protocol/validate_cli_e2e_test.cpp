// `konform validate` as a user runs it: the real binary on temporary files, checking exit codes
// (0 conformant, 1 violations, 2 unreadable input), what is printed, and the --json result.
#include "core/base64.h"
#include "core/file.h"
#include "core/gzip.h"
#include "json/document.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"
#include "vocabulary/kind.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

using konform::test_support::Run;

Run konform(const std::string& args) {
  return konform::test_support::run_binary("validate " + args);
}

class ValidateCli : public ::testing::Test {
protected:
  std::string write(const std::string& name, const std::string& content) {
    return dir_.write(name, content);
  }

  konform::test_support::ScratchDir dir_{"konform-validate"};
};

const std::string good_v2 =
    R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
    R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"T","Columns":[{"ColumnName":"n","ColumnType":"long"}],"Rows":[[1],[2]]},)"
    R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";

TEST_F(ValidateCli, ConformantFilesExitZero) {
  auto r = konform(write("ok.json", good_v2));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("kusto-v2 (detected): conformant"), std::string::npos) << r.output;
}

TEST_F(ValidateCli, InBandErrorsAndWarningsAloneDoNotFail) {
  auto r = konform(write("err.json", R"({"error":{"code":"General_BadRequest","message":"m"}})"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("in-band-error kusto.error.oneapi"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("warning kusto.oneapi.field-missing"), std::string::npos) << r.output;
}

TEST_F(ValidateCli, ViolationsExitOneAndNameThePathAndRule) {
  std::string bad = good_v2;
  bad.replace(bad.find("[[1],[2]]"), 9, "[[1],[\"2\"]]");
  auto r = konform(write("bad.json", bad));
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("violation kusto.value.type at $[1].Rows[1][0]"), std::string::npos)
      << r.output;
}

TEST_F(ValidateCli, UnreadableInputExitsTwoButTheOtherFilesAreStillValidated) {
  auto broken =
      write("broken.json", "[{\"FrameType\":\"DataSetHeader\",\n  \"IsProgressive\": nope}]");
  auto ok = write("ok.json", good_v2);
  auto r = konform(broken + " " + dir_.path("missing.json") + " " + ok);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("broken.json:2:20: not valid JSON"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing.json: cannot open"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok.json: kusto-v2 (detected): conformant"), std::string::npos)
      << r.output;
}

TEST_F(ValidateCli, TruncatedStreamIsAViolationNotBadInput) {
  auto r = konform(write("cut.json", good_v2.substr(0, good_v2.size() / 2)));
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("kusto.v2.json"), std::string::npos) << r.output;
}

TEST_F(ValidateCli, AsOverridesDetectionAndBadKindsAreRejected) {
  auto path = write("entities.json",
                    R"([{"@type":"streams","statementText":"x","streams":[],"warnings":[]}])");
  auto r = konform("--as kusto-v2 " + path);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("kusto-v2: violation"), std::string::npos) << r.output;
  auto bad = konform("--as kusto-v9 " + path);
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("is not a kind"), std::string::npos) << bad.output;
  EXPECT_EQ(konform("").code, 2);
}

TEST_F(ValidateCli, RecordedExchangesBringTheHttpRules) {
  std::string body =
      R"({\"error\":{\"code\":\"TooManyRequests\",\"message\":\"m\",\"@type\":\"T\",\"@message\":\"m\",\"@context\":{},\"@permanent\":false}})";
  auto path = write(
      "exchange.json",
      R"({"konform_exchange":1,"status":400,"headers":{"Content-Type":"application/json"},"body":")" +
          body + "\"}");
  auto r = konform(path);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("recorded exchange"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kusto.error.status"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kusto.http.activity-id"), std::string::npos) << r.output;
}

TEST_F(ValidateCli, JsonResultIsVersionedAndComplete) {
  auto ok = write("ok.json", good_v2);
  auto text = write("plain.txt", "Bad request: Control commands do not support api_version=v2");
  auto out = dir_.path("result.json");
  auto r = konform("--json " + out + " " + ok + " " + text);
  EXPECT_EQ(r.code, 0) << r.output;
  auto content = konform::file::read(out);
  ASSERT_TRUE(content.ok()) << content.error().message;
  auto doc = konform::json::Document::parse(*content);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  auto root = doc->root();
  EXPECT_EQ(std::string_view(root["format"].get_string().value()), "konform.validate");
  EXPECT_EQ(root["version"].get_int64().value(), 1);
  EXPECT_EQ(root["exit_code"].get_int64().value(), 0);
  EXPECT_EQ(root["files"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(root["files"].at(1)["kind"].get_string().value()), "kusto-error");
  EXPECT_EQ(std::string_view(root["files"].at(1)["verdict"].get_string().value()), "in-band-error");
  EXPECT_EQ(root["summary"]["in_band_errors"].get_int64().value(), 1);
}

TEST_F(ValidateCli, AnExchangeStatusOutsideHttpIsLocated) {
  auto path =
      write("exchange.json", "{\"konform_exchange\": 1,\n  \"status\": -1, \"headers\": {}, "
                             "\"body\": \"{}\"}");
  auto r = konform(path);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(path + ":2:13: recorded exchange: \"status\" must be the HTTP status "
                                 "code, an integer from 100 to 599"),
            std::string::npos)
      << r.output;
}

// A recorded exchange whose gzip body inflates to 1 GiB: refused at --max-body, after inflating
// no more than that, and the other files are still validated.
TEST_F(ValidateCli, AGzipBombInAnExchangeStopsAtMaxBody) {
  std::string zeros(std::size_t(64) << 20, '\0');
  std::string member = konform::gzip::compress(zeros, konform::gzip::Format::gzip, 9);
  std::string bomb;
  for (int i = 0; i < 16; ++i)
    bomb += member; // concatenated members: 1 GiB of zeros
  auto path = write("bomb.json", R"({"konform_exchange": 1, "status": 200, "headers": )"
                                 R"({"Content-Encoding": "gzip"}, "body_base64": ")" +
                                     konform::base64::encode(bomb) + "\"}");
  auto ok = write("ok.json", good_v2);
  auto r = konform("--max-body 1MiB " + path + " " + ok);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("the decompressed body exceeds the limit of 1048576 bytes"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("kusto-v2 (detected): conformant"), std::string::npos) << r.output;
}

TEST_F(ValidateCli, AFifoIsRefusedWithoutWaitingForAWriter) {
  auto fifo = dir_.path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = konform(fifo);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(fifo + ": is not a regular file"), std::string::npos) << r.output;
}

} // namespace

namespace {

// The kind names come from one table (vocabulary/kind.h): every command that takes --as lists
// every kind in its help and in its error, the ingestion kinds and ksql-error included.
TEST(KindNames, EveryCommandTakingAsListsEveryKind) {
  const auto validate_help = konform::test_support::run_binary("validate --help");
  const auto load_help = konform::test_support::run_binary("load --help");
  const auto validate_bad = konform("--as kusto-v3 x.json");
  const auto load_bad =
      konform::test_support::run_binary("load --url http://127.0.0.1:1/ --as kusto-v3");
  EXPECT_EQ(validate_bad.code, 2) << validate_bad.output;
  EXPECT_EQ(load_bad.code, 2) << load_bad.output;
  for (const auto& k : konform::protocol::kind_names())
    for (const auto* run : {&validate_help, &load_help, &validate_bad, &load_bad})
      EXPECT_NE(run->output.find(std::string(k.name)), std::string::npos)
          << k.name << " missing in:\n"
          << run->output;
}

} // namespace
