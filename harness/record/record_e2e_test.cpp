// The recording proxy on loopback in front of the reference endpoint: what a client sends and
// gets passes through; the recording replays with `konform check` against a fresh endpoint,
// fails naming the changed cells against changed data, equals the conversion of a HAR of the
// same exchanges, and holds no secret.
#include "compare/compare.h"
#include "core/base64.h"
#include "core/file.h"
#include "core/gzip.h"
#include "http/client.h"
#include "json/document.h"
#include "json/writer.h"
#include "record/convert.h"
#include "record/har.h"
#include "record/proxy.h"
#include "scenario/parser.h"
#include "serve/reference_endpoint.h"
#include "test_support/nginx_tls.h"
#include "test_support/raw_server.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <mutex>

namespace konform::record {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDir;

constexpr const char* kToken = "e2e-bearer-token-7f3a9c";
constexpr const char* kSig = "SECRETSIGVALUE0123";
const std::string kFixture =
    std::string(KONFORM_SOURCE_DIR) + "/harness/record/testdata/session.har";

std::unique_ptr<serve::ReferenceEndpoint> endpoint(const std::string& data_dir) {
  serve::EndpointOptions eo;
  eo.threads = 1;
  eo.kusto.data_dir = data_dir;
  eo.kusto.token = kToken;
  eo.ksql.token = kToken;
  auto started = serve::ReferenceEndpoint::start(std::move(eo));
  EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
  return started ? std::move(*started) : nullptr;
}

void write_data(const ScratchDir& dir, const std::string& name, long count_of_b) {
  dir.write(name + "/Samples/Recorded.schema", "Name:string, Count:long\n");
  dir.write(name + "/Samples/Recorded.csv", "a,1\nb," + std::to_string(count_of_b) + "\nc,3\n");
}

http::Request request(std::string method, std::string target, std::string body = "",
                      http::Headers extra = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = {{"Authorization", std::string("Bearer ") + kToken},
               {"x-ms-client-request-id", "KNC.execute;" + std::to_string(rand())},
               {"x-ms-app", "konform-e2e"},
               {"Accept", "application/json"}};
  if (!body.empty() && extra.empty()) r.headers.emplace_back("Content-Type", "application/json");
  for (auto& h : extra)
    r.headers.push_back(std::move(h));
  r.body = std::move(body);
  return r;
}

std::string sas_url() {
  return std::string("https://acct.blob.core.windows.net/c/b.csv?sv=2020-08-04&sr=b&sig=") + kSig;
}

// The session a client runs: Kusto DDL, gzip CSV streaming ingest, v1 and v2 queries, a command
// that carries a SAS URL; ksqlDB create, status, list (with the sequence number), describe,
// insert, a push query with LIMIT, drop.
std::vector<http::Request> session() {
  std::vector<http::Request> s;
  s.push_back(
      request("POST", "/v1/rest/mgmt",
              R"j({"db":"Samples","csl":".create table RecordedTmp (A:string, B:long)"})j"));
  s.push_back(request(
      "POST", "/v1/rest/ingest/Samples/RecordedTmp?streamFormat=Csv", gzip::compress("x,1\ny,2\n"),
      {{"Content-Encoding", "gzip"}, {"Content-Type", "application/octet-stream"}}));
  s.push_back(request(
      "POST", "/v2/rest/query",
      R"({"db":"Samples","csl":"Recorded | take 10","properties":"{\"Options\":{\"servertimeout\":\"00:01:00\"}}"})"));
  s.push_back(request("POST", "/v1/rest/query", R"({"db":"Samples","csl":"RecordedTmp | count"})"));
  s.push_back(request("POST", "/v1/rest/mgmt",
                      R"({"db":"Samples","csl":".show table RecordedTmp details // )" + sas_url() +
                          R"("})"));
  s.push_back(
      request("POST", "/v1/rest/mgmt", R"({"db":"Samples","csl":".drop table RecordedTmp"})"));
  s.push_back(request(
      "POST", "/ksql",
      R"({"ksql":"CREATE STREAM RECORDED_S (ID VARCHAR KEY, N BIGINT) WITH (KAFKA_TOPIC='recorded_s', VALUE_FORMAT='JSON', PARTITIONS=1);"})"));
  s.push_back(request("GET", "/status/${commandId}"));
  s.push_back(
      request("POST", "/ksql", R"({"ksql":"LIST STREAMS;","commandSequenceNumber":${sequence}})"));
  s.push_back(request("POST", "/ksql", R"({"ksql":"DESCRIBE RECORDED_S;"})"));
  s.push_back(
      request("POST", "/ksql", R"({"ksql":"INSERT INTO RECORDED_S (ID, N) VALUES ('k1', 7);"})"));
  s.push_back(request(
      "POST", "/query",
      R"({"ksql":"SELECT * FROM RECORDED_S EMIT CHANGES LIMIT 1;","streamsProperties":{"ksql.streams.auto.offset.reset":"earliest"}})"));
  s.push_back(request("POST", "/ksql", R"({"ksql":"DROP STREAM RECORDED_S;"})"));
  return s;
}

// Sends the requests through the client as a real one would: ids the server made are taken from
// its responses (${commandId}, ${sequence} in the session above).
void drive(http::Client& client, std::vector<http::Request> requests,
           std::vector<http::Response>* responses = nullptr) {
  std::string command_id, sequence;
  for (auto& r : requests) {
    auto put = [&](std::string& s, const std::string& name, const std::string& value) {
      auto at = s.find(name);
      if (at != std::string::npos) s.replace(at, name.size(), value);
    };
    put(r.target, "${commandId}", command_id);
    put(r.body, "${sequence}", sequence);
    auto response = client.send(r);
    ASSERT_TRUE(response.ok()) << r.target << ": " << response.error().message;
    EXPECT_LT(response->status, 500) << r.target << " " << response->body;
    if (r.target == "/ksql" && r.body.find("CREATE STREAM") != std::string::npos) {
      auto doc = json::Document::parse(http::decoded_body(*response).text);
      ASSERT_TRUE(doc.ok());
      std::string_view id;
      int64_t seq = 0;
      ASSERT_FALSE(doc->root().at(0)["commandId"].get_string().get(id));
      ASSERT_FALSE(doc->root().at(0)["commandSequenceNumber"].get_int64().get(seq));
      command_id = std::string(id);
      sequence = std::to_string(seq);
    }
    if (responses) responses->push_back(std::move(*response));
  }
}

struct Recording {
  std::vector<Exchange> exchanges;
  Summary summary;
};

Recording record_through_proxy(const ScratchDir& dir, const std::string& out,
                               const std::vector<http::Request>& requests,
                               serve::ReferenceEndpoint& upstream) {
  ProxyOptions po;
  po.upstream = upstream.kusto_url();
  po.ksql_upstream = upstream.ksql_url();
  po.spool_dir = dir.path();
  auto proxy = Proxy::start(po);
  EXPECT_TRUE(proxy.ok());
  if (!proxy) return {};
  {
    auto url = http::parse_url((*proxy)->url());
    http::Client client(*url);
    drive(client, requests);
  }
  Recording rec;
  rec.exchanges = (*proxy)->take_exchanges();
  EXPECT_EQ((*proxy)->unreachable(), 0u);
  ConvertOptions co;
  co.out = out;
  Staging staging;
  auto summary = convert(rec.exchanges, co, staging);
  EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
  EXPECT_TRUE(staging.commit().ok());
  if (summary) rec.summary = *summary;
  discard_spool(rec.exchanges);
  return rec;
}

std::string check_command(const std::vector<std::string>& files, serve::ReferenceEndpoint& target) {
  std::string cmd = "check";
  for (const auto& f : files)
    cmd += " '" + f + "'";
  return cmd + " --root / --kusto-target " + target.kusto_url() + " --ksql-target " +
         target.ksql_url() + " --token " + kToken;
}

TEST(RecordProxy, RecordingReplaysAgainstAFreshServerAndFailsOnChangedData) {
  ScratchDir dir("konform-record");
  write_data(dir, "data", 2);
  write_data(dir, "changed", 5);
  auto upstream = endpoint(dir.path("data"));
  ASSERT_TRUE(upstream);
  auto rec = record_through_proxy(dir, dir.path("rec/session.json"), session(), *upstream);
  ASSERT_EQ(rec.exchanges.size(), session().size());
  ASSERT_EQ(rec.summary.scenarios.size(), 2u);
  // The ids the ksqlDB server made were correlated, not recorded literally.
  auto ksql = file::read(dir.path("rec/session.ksql.json"));
  ASSERT_TRUE(ksql.ok());
  EXPECT_NE(ksql->find(R"("path": "/status/${commandId}")"), std::string::npos) << *ksql;
  EXPECT_NE(ksql->find(R"("commandSequenceNumber":"${commandSequenceNumber}")"), std::string::npos);
  auto kusto = file::read(dir.path("rec/session.json"));
  ASSERT_TRUE(kusto.ok());
  EXPECT_NE(kusto->find(R"("gzip": true)"), std::string::npos) << *kusto;
  EXPECT_EQ(*file::read(dir.path("rec/session.bodies/02.csv")), "x,1\ny,2\n");

  std::vector<std::string> files = {dir.path("rec/session.json"),
                                    dir.path("rec/session.ksql.json")};
  auto fresh = endpoint(dir.path("data"));
  ASSERT_TRUE(fresh);
  if (std::getenv("KONFORM_KEEP"))
    fs::copy(dir.path("rec"), std::getenv("KONFORM_KEEP"), fs::copy_options::recursive);
  auto pass = test_support::run_binary(check_command(files, *fresh));
  EXPECT_EQ(pass.code, 0) << pass.output;

  auto changed = endpoint(dir.path("changed"));
  ASSERT_TRUE(changed);
  auto fail = test_support::run_binary(check_command(files, *changed));
  EXPECT_EQ(fail.code, 1) << fail.output;
  EXPECT_NE(fail.output.find("column Count: expected 2, got 5"), std::string::npos) << fail.output;
}

TEST(RecordProxy, NoWrittenFileHoldsTheTokenOrASasSignature) {
  ScratchDir dir("konform-record");
  write_data(dir, "data", 2);
  auto upstream = endpoint(dir.path("data"));
  ASSERT_TRUE(upstream);
  auto rec = record_through_proxy(dir, dir.path("rec/session.json"), session(), *upstream);
  std::size_t files = 0;
  for (const auto& f : fs::recursive_directory_iterator(dir.path("rec"))) {
    if (!f.is_regular_file()) continue;
    ++files;
    auto text = file::read(f.path().string());
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(text->find(kToken), std::string::npos) << f.path();
    EXPECT_EQ(text->find(kSig), std::string::npos) << f.path();
    EXPECT_EQ(text->find("sig="), std::string::npos) << f.path();
  }
  EXPECT_GT(files, 10u);
  // The summary says what was masked where.
  bool sas = false, authorization = false;
  for (const auto& r : rec.summary.redactions) {
    sas |= r.find("SAS query string masked") != std::string::npos;
    authorization |= r.find("request header Authorization: dropped") != std::string::npos;
  }
  EXPECT_TRUE(sas);
  EXPECT_TRUE(authorization);
  // No spool or spill file is left behind.
  for (const auto& f : fs::recursive_directory_iterator(dir.path()))
    EXPECT_EQ(f.path().filename().string().find(".konform-record-sp"), std::string::npos)
        << f.path();
}

// A HAR 1.2 file of the exchanges, as a browser's devtools write it (response text decoded,
// binary bodies in base64). Writes the fixture when KONFORM_WRITE_HAR_FIXTURE is set.
std::string to_har(const std::vector<Exchange>& exchanges, const std::string& origin) {
  std::string out;
  json::Writer w(out, 1);
  w.begin_object().key("log").begin_object();
  w.field("version", "1.2");
  w.key("creator").begin_object().field("name", "konform record_e2e_test").field("version", "1");
  w.end_object();
  w.key("entries").begin_array();
  auto headers = [&](const http::Headers& hs) {
    w.key("headers").begin_array();
    for (const auto& [n, v] : hs) {
      bool secret = n == "Authorization" || n == "authorization";
      w.begin_object().field("name", n).field("value", secret ? "Bearer FIXTURE" : v).end_object();
    }
    w.end_array();
  };
  for (const auto& e : exchanges) {
    w.begin_object();
    w.key("request").begin_object();
    w.field("method", e.method).field("url", origin + e.target).field("httpVersion", "HTTP/1.1");
    headers(e.request_headers);
    if (!e.request_body.bytes.empty()) {
      w.key("postData").begin_object().field("mimeType", "application/octet-stream");
      bool binary = gzip::looks_like_gzip(e.request_body.bytes);
      w.field("text", binary ? base64::encode(e.request_body.bytes) : e.request_body.bytes);
      if (binary) w.field("encoding", "base64");
      w.end_object();
    }
    w.end_object();
    w.key("response").begin_object().field("status", e.status);
    headers(e.response_headers);
    http::Response r;
    r.headers = e.response_headers;
    r.body = e.response_body.bytes;
    w.key("content").begin_object().field("text", http::decoded_body(r).text).end_object();
    w.end_object();
    w.end_object();
  }
  w.end_array().end_object().end_object();
  return out + "\n";
}

TEST(RecordProxy, HarFixtureConvertsToTheSameScenarioAsTheProxyRecording) {
  ScratchDir dir("konform-record");
  if (std::getenv("KONFORM_WRITE_HAR_FIXTURE")) {
    write_data(dir, "data", 2);
    auto upstream = endpoint(dir.path("data"));
    auto rec = record_through_proxy(dir, dir.path("gen/session.json"), session(), *upstream);
    ASSERT_TRUE(file::write(kFixture, to_har(rec.exchanges, "http://127.0.0.1:8080")).ok());
  }
  std::vector<std::string> warnings;
  auto fixture = load_har(kFixture, &warnings);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  ASSERT_EQ(fixture->size(), session().size());
  // The HAR converted...
  ConvertOptions co;
  co.out = dir.path("har/session.json");
  Staging staging;
  auto from_har = convert(*fixture, co, staging);
  ASSERT_TRUE(from_har.ok()) << from_har.error().message;
  ASSERT_TRUE(staging.commit().ok());
  // ... and the same requests recorded through the proxy in front of a fresh server.
  write_data(dir, "data", 2);
  auto upstream = endpoint(dir.path("data"));
  ASSERT_TRUE(upstream);
  std::vector<http::Request> requests;
  for (const auto& e : *fixture) {
    http::Request r;
    r.method = e.method;
    r.target = e.target;
    for (const auto& [n, v] : e.request_headers)
      if (n != "Host" && n != "Content-Length" && n != "Connection")
        r.headers.emplace_back(n, n == "Authorization" ? std::string("Bearer ") + kToken : v);
    r.body = e.request_body.bytes;
    requests.push_back(std::move(r));
  }
  record_through_proxy(dir, dir.path("proxy/session.json"), requests, *upstream);
  for (auto name : {"session.json", "session.ksql.json"}) {
    auto a = file::read(dir.path(std::string("har/") + name));
    auto b = file::read(dir.path(std::string("proxy/") + name));
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    EXPECT_EQ(*a, *b) << name;
  }
  // The goldens hold the same responses: equal but for the values every run changes (times,
  // activity and query ids), which the protocol-aware comparison ignores.
  scenario::ParseOptions po;
  po.roots = {dir.path()};
  for (auto name : {"session.json", "session.ksql.json"}) {
    auto parsed = scenario::load_scenario(dir.path(std::string("har/") + name), po);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    for (const auto& step : parsed->steps) {
      if (step.golden.empty()) continue;
      auto a = file::read(step.golden);
      auto proxied = fs::path(dir.path("proxy")) / fs::path(step.golden).parent_path().filename() /
                     fs::path(step.golden).filename();
      auto b = file::read(proxied.string());
      ASSERT_TRUE(a.ok() && b.ok()) << proxied;
      auto differences = compare::compare_bodies(*a, *b, step.kind, step.rules);
      ASSERT_TRUE(differences.ok()) << step.name;
      EXPECT_TRUE(differences->empty()) << step.name << ": " << differences->front().message;
    }
  }
}

// A chunked stream is forwarded piece by piece: the upstream sends its second piece only once the
// client has received the first through the proxy (a proxy that buffered would deadlock here
// until the upstream's 10 s safety wait ran out, and the test says so).
TEST(RecordProxy, ChunkedStreamsAreForwardedAsTheyArrive) {
  std::atomic<bool> client_has_first{false};
  std::atomic<bool> released_by_client{false};
  test_support::RawServer upstream([&](test_support::RawServer&, int fd, const std::string&) {
    test_support::RawServer::write_all(
        fd, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.ksqlapi.delimited.v1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
            "c\r\nfirst-piece\n\r\n");
    for (int i = 0; i < 1000 && !client_has_first; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    released_by_client = client_has_first.load();
    test_support::RawServer::write_all(fd, "d\r\nsecond-piece\n\r\n0\r\n\r\n");
  });
  ProxyOptions po;
  po.upstream = upstream.url();
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  auto url = *http::parse_url((*proxy)->url());
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(url.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string got;
  char buf[4096];
  while (got.find("first-piece") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << got;
    got.append(buf, static_cast<std::size_t>(n));
  }
  client_has_first = true;
  while (got.find("0\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << got;
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_TRUE(released_by_client) << "the first piece reached the client only with the last";
  EXPECT_NE(got.find("second-piece"), std::string::npos);
  auto exchanges = (*proxy)->take_exchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(*load(exchanges[0].response_body), "first-piece\nsecond-piece\n");
  EXPECT_FALSE(exchanges[0].truncated);
  discard_spool(exchanges);
}

TEST(RecordProxy, UnreachableUpstreamIsAnswered502NamingIt) {
  ProxyOptions po;
  po.upstream = "http://127.0.0.1:1";
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  http::Client client(*http::parse_url((*proxy)->url()));
  http::Request r;
  r.target = "/v1/rest/ping";
  auto response = client.send(r);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 502);
  EXPECT_NE(response->body.find("the upstream http://127.0.0.1:1 is unreachable"),
            std::string::npos)
      << response->body;
  EXPECT_TRUE((*proxy)->take_exchanges().empty());
  EXPECT_EQ((*proxy)->unreachable(), 1u);
}

TEST(RecordProxy, LargeBodiesAreSpooledToDiskAndPassedThroughWhole) {
  ScratchDir dir("konform-record");
  auto upstream = endpoint("");
  ASSERT_TRUE(upstream);
  ProxyOptions po;
  po.upstream = upstream->kusto_url();
  po.spool_dir = dir.path();
  po.spool_threshold = 4096;
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  http::Client client(*http::parse_url((*proxy)->url()));
  ASSERT_TRUE(client
                  .send(request("POST", "/v1/rest/mgmt",
                                R"j({"db":"Samples","csl":".create table Big (A:string)"})j"))
                  .ok());
  std::string csv;
  while (csv.size() < 100000)
    csv += "row-" + std::to_string(csv.size()) + "\n";
  auto ingest = client.send(request("POST", "/v1/rest/ingest/Samples/Big?streamFormat=csv", csv,
                                    {{"Content-Type", "text/csv"}}));
  ASSERT_TRUE(ingest.ok());
  EXPECT_EQ(ingest->status, 200) << ingest->body;
  auto query = client.send(request("POST", "/v1/rest/query", R"({"db":"Samples","csl":"Big"})"));
  ASSERT_TRUE(query.ok());
  auto exchanges = (*proxy)->take_exchanges();
  ASSERT_EQ(exchanges.size(), 3u);
  // Over the threshold: on disk, not in memory, and whole.
  EXPECT_TRUE(exchanges[1].request_body.bytes.empty());
  ASSERT_FALSE(exchanges[1].request_body.spool_file.empty());
  EXPECT_EQ(*load(exchanges[1].request_body), csv);
  EXPECT_FALSE(exchanges[2].response_body.spool_file.empty());
  EXPECT_EQ(*load(exchanges[2].response_body), query->body);
  discard_spool(exchanges);
  EXPECT_FALSE(fs::exists(exchanges[1].request_body.spool_file));
}

} // namespace
} // namespace konform::record

namespace konform::record {
namespace {

// Over the default 1 MiB a body is written to a spool file in the output folder while the
// recording runs (not held in memory), and ends up whole in the scenario's body file.
TEST(RecordProxy, BodiesOverOneMebibyteAreSpooledInTheOutputFolderAndWrittenWhole) {
  ScratchDir dir("konform-record");
  auto upstream = endpoint("");
  ASSERT_TRUE(upstream);
  ProxyOptions po;
  po.upstream = upstream->kusto_url();
  po.spool_dir = dir.path("rec");
  fs::create_directories(po.spool_dir);
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  http::Client client(*http::parse_url((*proxy)->url()));
  ASSERT_TRUE(client
                  .send(request("POST", "/v1/rest/mgmt",
                                R"j({"db":"Samples","csl":".create table Huge (A:string)"})j"))
                  .ok());
  std::string csv;
  while (csv.size() < (std::size_t(3) << 19)) // 1.5 MiB
    csv += "row-" + std::to_string(csv.size()) + "\n";
  auto ingest = client.send(request("POST", "/v1/rest/ingest/Samples/Huge?streamFormat=csv", csv,
                                    {{"Content-Type", "text/csv"}}));
  ASSERT_TRUE(ingest.ok());
  EXPECT_EQ(ingest->status, 200) << ingest->body;
  // While the proxy runs, the body is on disk in the output folder, nowhere else.
  std::uintmax_t spooled = 0;
  for (const auto& f : fs::directory_iterator(po.spool_dir))
    if (f.path().filename().string().rfind(".konform-record-spool", 0) == 0)
      spooled += f.file_size();
  EXPECT_EQ(spooled, csv.size());
  auto exchanges = (*proxy)->take_exchanges();
  ASSERT_EQ(exchanges.size(), 2u);
  EXPECT_TRUE(exchanges[1].request_body.bytes.empty());
  ConvertOptions co;
  co.out = dir.path("rec/huge.json");
  Staging staging;
  auto summary = convert(exchanges, co, staging);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  ASSERT_TRUE(staging.commit().ok());
  discard_spool(exchanges);
  auto written = file::read(dir.path("rec/huge.bodies/02.csv"));
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_TRUE(*written == csv) << "the body file differs from the body sent";
  for (const auto& f : fs::directory_iterator(po.spool_dir))
    EXPECT_NE(f.path().filename().string().rfind(".konform-record-spool", 0), 0u) << f.path();
}

// An upstream that closes a kept-alive connection while it is idle (as servers do after their
// keep-alive timeout): the next request, sent on that connection, is sent once more on a fresh
// one, and the client gets the upstream's answer, not a 502.
TEST(RecordProxy, AnUpstreamsIdleCloseIsRetriedOnAFreshConnection) {
  test_support::RawServer upstream([](test_support::RawServer&, int fd, const std::string&) {
    test_support::RawServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                           "Content-Length: 2\r\n\r\n{}");
    ::shutdown(fd, SHUT_RDWR); // closed after the answer, without saying so
  });
  ProxyOptions po;
  po.upstream = upstream.url();
  po.threads = 1;
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  http::Client client(*http::parse_url((*proxy)->url()));
  for (int i = 0; i < 3; ++i) {
    // The upstream's close has arrived at the proxy before the next request does.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto response = client.send(request("POST", "/v1/rest/query", R"({"csl":"x"})"));
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200) << i << ": " << response->body;
  }
  EXPECT_EQ((*proxy)->unreachable(), 0u);
  EXPECT_EQ((*proxy)->retried(), 2u);
  EXPECT_EQ(upstream.requests(), 3);
  auto exchanges = (*proxy)->take_exchanges();
  ASSERT_EQ(exchanges.size(), 3u);
  for (const auto& e : exchanges)
    EXPECT_EQ(*load(e.request_body), R"({"csl":"x"})");
  discard_spool(exchanges);
}

} // namespace
} // namespace konform::record

namespace konform::record {
namespace {

// An https upstream with check's TLS options: verified against --ca-file (the certificate is for
// 127.0.0.1), refused with a 502 naming the TLS failure when it cannot be verified, and accepted
// unverified with --insecure. Skips without nginx.
TEST(RecordProxy, HttpsUpstreamsAreVerifiedWithTheCaFileOrInsecure) {
  test_support::NginxTls upstream;
  if (!upstream.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  upstream.serve("v1/rest/ping", R"({"ok":true})");
  auto through = [&](ProxyOptions po, std::size_t requests) {
    po.upstream = upstream.url();
    auto proxy = Proxy::start(po);
    EXPECT_TRUE(proxy.ok());
    std::vector<http::Response> responses;
    if (!proxy) return responses;
    http::Client client(*http::parse_url((*proxy)->url()));
    for (std::size_t i = 0; i < requests; ++i) {
      http::Request r;
      r.target = "/v1/rest/ping";
      auto response = client.send(r);
      EXPECT_TRUE(response.ok()) << response.error().message;
      if (response) responses.push_back(*response);
    }
    return responses;
  };
  ProxyOptions verified;
  verified.ca_file = upstream.cert_file();
  auto ok = through(verified, 3); // kept alive: one handshake, three exchanges
  ASSERT_EQ(ok.size(), 3u);
  for (const auto& r : ok) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, R"({"ok":true})");
  }
  auto refused = through(ProxyOptions{}, 1); // the system's trust anchors do not know it
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].status, 502);
  EXPECT_NE(refused[0].body.find("TLS handshake failed"), std::string::npos) << refused[0].body;
  ProxyOptions insecure;
  insecure.insecure = true;
  auto unverified = through(insecure, 1);
  ASSERT_EQ(unverified.size(), 1u);
  EXPECT_EQ(unverified[0].status, 200) << unverified[0].body;
}

} // namespace
} // namespace konform::record

namespace konform::record {
namespace {

std::vector<fs::path> files_named(const std::string& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& f : fs::recursive_directory_iterator(dir))
    if (f.path().filename().string().rfind(prefix, 0) == 0) out.push_back(f.path());
  return out;
}

// Finished exchanges leave memory: each proxy thread appends them to its spill file in the
// output folder while the recording runs, and that file holds no secret in the clear (it is
// sealed with a key that only the process holds). At the end they are read back in arrival order,
// with their bodies still on disk, and the spill files are removed with the spool files.
TEST(RecordProxy, FinishedExchangesAreSpilledSealedToTheOutputFolderAndReadBackInOrder) {
  ScratchDir dir("konform-record");
  write_data(dir, "data", 2);
  auto upstream = endpoint(dir.path("data"));
  ASSERT_TRUE(upstream);
  ProxyOptions po;
  po.upstream = upstream->kusto_url();
  po.ksql_upstream = upstream->ksql_url();
  po.spool_dir = dir.path("rec");
  po.spill_buffer = 0; // every exchange on disk at once, so the file can be looked at now
  po.threads = 2;
  fs::create_directories(po.spool_dir);
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  auto requests = session();
  const std::string cookie = "konform-session=COOKIE0123456789abcdef";
  requests.push_back(request("GET", "/v1/rest/ping", "", {{"Cookie", cookie}}));
  std::vector<http::Response> responses;
  {
    http::Client client(*http::parse_url((*proxy)->url()));
    drive(client, requests, &responses);
  }
  ASSERT_EQ(responses.size(), requests.size());
  // While the proxy still runs: the exchanges are in spill files in the output folder, and no
  // file anywhere under the test's folder holds the token, the SAS signature or the cookie.
  auto spills = files_named(dir.path(), ".konform-record-spill-");
  ASSERT_FALSE(spills.empty());
  std::uintmax_t spilled = 0;
  for (const auto& f : spills) {
    EXPECT_EQ(f.parent_path(), fs::path(po.spool_dir));
    spilled += fs::file_size(f);
  }
  std::uintmax_t bodies = 0;
  for (const auto& r : responses)
    bodies += r.body.size();
  EXPECT_GT(spilled, bodies);
  for (const auto& f : fs::recursive_directory_iterator(dir.path())) {
    if (!f.is_regular_file()) continue;
    auto text = file::read(f.path().string());
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(text->find(kToken), std::string::npos) << f.path();
    EXPECT_EQ(text->find(kSig), std::string::npos) << f.path();
    EXPECT_EQ(text->find("COOKIE0123456789"), std::string::npos) << f.path();
  }

  auto exchanges = (*proxy)->take_exchanges();
  EXPECT_EQ((*proxy)->lost(), 0u);
  ASSERT_EQ(exchanges.size(), requests.size());
  for (std::size_t i = 0; i < exchanges.size(); ++i) {
    // The order the requests arrived in; the bodies are read back from disk.
    std::string sent = requests[i].target.substr(0, requests[i].target.find('$'));
    EXPECT_EQ(exchanges[i].target.rfind(sent, 0), 0u) << i << " " << exchanges[i].target;
    EXPECT_EQ(exchanges[i].status, responses[i].status) << i;
    EXPECT_TRUE(exchanges[i].response_body.bytes.empty()) << i;
    auto body = load(exchanges[i].response_body);
    ASSERT_TRUE(body.ok()) << body.error().message;
    EXPECT_TRUE(*body == responses[i].body) << i << " " << exchanges[i].target;
  }
  bool cookie_seen = false;
  for (const auto& [n, v] : exchanges.back().request_headers)
    cookie_seen |= n == "Cookie" && v == cookie;
  EXPECT_TRUE(cookie_seen) << "the head is read back whole";
  discard_spool(exchanges);
  EXPECT_TRUE(files_named(dir.path(), ".konform-record-sp").empty());
}

// Lowers the largest file this process may write (RLIMIT_FSIZE), as a full disk would stop it:
// writes past the limit fail with EFBIG (SIGXFSZ ignored), and the limit is restored after.
class FileSizeLimit {
public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_);
    rlimit lower = old_;
    lower.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }

private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

// A spill file that cannot be written (here: past the file size limit) is an error the proxy
// reports at once, naming the file; it keeps forwarding, and the recording says how many
// exchanges it lost.
TEST(RecordProxy, ASpillWriteFailureIsReportedWhileTheProxyKeepsForwarding) {
  ScratchDir dir("konform-record");
  auto upstream = endpoint("");
  ASSERT_TRUE(upstream);
  ProxyOptions po;
  po.upstream = upstream->kusto_url();
  po.spool_dir = dir.path();
  po.spill_buffer = 0;
  po.threads = 1;
  std::vector<std::string> errors;
  std::mutex mu;
  po.error = [&](const std::string& why) {
    std::lock_guard lock(mu);
    errors.push_back(why);
  };
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  constexpr int kRequests = 40;
  {
    FileSizeLimit limit(8192);
    http::Client client(*http::parse_url((*proxy)->url()));
    for (int i = 0; i < kRequests; ++i) {
      auto r = client.send(request("GET", "/v1/rest/ping"));
      ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
      EXPECT_EQ(r->status, 200) << i;
    }
  }
  auto exchanges = (*proxy)->take_exchanges();
  EXPECT_GT((*proxy)->lost(), 0u);
  EXPECT_EQ(exchanges.size() + (*proxy)->lost(), std::size_t(kRequests));
  std::string reason = (*proxy)->lost_reason();
  EXPECT_NE(reason.find("cannot write the spill file " + dir.path() + "/.konform-record-spill-"),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("File too large"), std::string::npos) << reason;
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], reason);
  }
  // What was kept reads back whole.
  for (const auto& e : exchanges)
    EXPECT_EQ(e.target, "/v1/rest/ping");
  discard_spool(exchanges);
  EXPECT_TRUE(files_named(dir.path(), ".konform-record-sp").empty());
}

// A large body whose spool file cannot be written is not kept in memory instead (memory would be
// unbounded): the exchange is lost, reported naming the spool file, and passed through whole.
TEST(RecordProxy, ASpoolWriteFailureLosesTheExchangeButNotTheClientsBody) {
  ScratchDir dir("konform-record");
  auto upstream = endpoint("");
  ASSERT_TRUE(upstream);
  ProxyOptions po;
  po.upstream = upstream->kusto_url();
  po.spool_dir = dir.path();
  po.spool_threshold = 4096;
  po.threads = 1;
  std::vector<std::string> errors;
  po.error = [&](const std::string& why) { errors.push_back(why); };
  auto proxy = Proxy::start(po);
  ASSERT_TRUE(proxy.ok());
  http::Client client(*http::parse_url((*proxy)->url()));
  ASSERT_TRUE(client
                  .send(request("POST", "/v1/rest/mgmt",
                                R"j({"db":"Samples","csl":".create table Big (A:string)"})j"))
                  .ok());
  std::string csv;
  while (csv.size() < 100000)
    csv += "row-" + std::to_string(csv.size()) + "\n";
  {
    FileSizeLimit limit(16384);
    auto ingest = client.send(request("POST", "/v1/rest/ingest/Samples/Big?streamFormat=csv", csv,
                                      {{"Content-Type", "text/csv"}}));
    ASSERT_TRUE(ingest.ok());
    EXPECT_EQ(ingest->status, 200) << ingest->body;
  }
  // The upstream got the whole body (a cut one would have left it waiting for the rest); the next
  // exchange is recorded as usual.
  ASSERT_TRUE(
      client.send(request("POST", "/v1/rest/query", R"({"db":"Samples","csl":"Big"})")).ok());
  auto exchanges = (*proxy)->take_exchanges();
  EXPECT_EQ((*proxy)->lost(), 1u);
  ASSERT_EQ(exchanges.size(), 2u);
  EXPECT_EQ(exchanges[1].target, "/v1/rest/query");
  EXPECT_NE((*proxy)->lost_reason().find("cannot write the spool file " + dir.path() +
                                         "/.konform-record-spool-"),
            std::string::npos)
      << (*proxy)->lost_reason();
  EXPECT_EQ(errors.size(), 1u);
  discard_spool(exchanges);
  EXPECT_TRUE(files_named(dir.path(), ".konform-record-sp").empty());
}

} // namespace
} // namespace konform::record
