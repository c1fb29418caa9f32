// Hostile input for the two load-side parsers a server or a file controls: the response parser
// (what a target sends) and the .hlog reader (what `konform merge` is given). Each must end with
// a reason or a result — never crash, hang, overflow or allocate without bound.
#include "core/base64.h"
#include "core/gzip.h"
#include "load/hlog.h"
#include "load/response_parser.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <climits>
#include <string>
#include <vector>

namespace konform::load {
namespace {

// Feeds `wire` in pieces of `piece` bytes as a read loop would: stops when the parser is done or
// failed, and returns how many bytes it used.
std::size_t feed_all(ResponseParser& p, const std::string& wire, std::size_t piece) {
  std::size_t at = 0;
  while (at < wire.size() && !p.done() && !p.failed()) {
    const auto n = std::min(piece, wire.size() - at);
    at += p.feed(wire.data() + at, n);
  }
  return at;
}

std::string failure(const std::string& wire, std::size_t piece = 1 << 20) {
  ResponseParser p;
  p.reset();
  feed_all(p, wire, piece);
  if (!p.failed() && !p.done()) p.on_eof();
  return p.failed() ? p.error() : "";
}

TEST(HostileResponse, MalformedStatusLinesFailWithAReason) {
  for (const std::string& line : std::vector<std::string>{
           "HTTP/1.1 20 OK", "HTTP/1.1  200 OK", "HTTP/1.1 2000 OK", "HTTP/2 200 OK", "HTTP/1.1",
           "http/1.1 200 OK", "HTTP/1.1 -20 OK", std::string("HTTP/1.1 2\0\0 OK", 15),
           "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS", "SSH-2.0-OpenSSH_9.2"}) {
    for (std::size_t piece : {std::size_t(1), std::size_t(3), std::size_t(1) << 20}) {
      const auto why = failure(line + "\r\n\r\n", piece);
      EXPECT_FALSE(why.empty()) << line;
      EXPECT_TRUE(why.find("status") != std::string::npos) << line << ": " << why;
    }
  }
}

TEST(HostileResponse, StatusCodesOutsideHttpAreParsedAsDigits) {
  ResponseParser p;
  p.reset();
  const std::string wire = "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n";
  feed_all(p, wire, wire.size());
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.status(), 999); // the parser clamps into its 0..599 table
}

TEST(HostileResponse, ChunkSizesThatWouldOverflowAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_NE(failure(head + "ffffffffffffffffff\r\n"), "");                                 // 2^72
  EXPECT_NE(failure(head + "10000000000000000\r\n").find("too large"), std::string::npos); // 2^64
  EXPECT_NE(failure(head + "-1\r\n").find("hexadecimal"), std::string::npos);
  EXPECT_NE(failure(head + "\r\n").find("hexadecimal"), std::string::npos);
  // The largest accepted (15 hex digits, 2^60 - 1) is merely long: the body waits for its bytes.
  ResponseParser p;
  p.reset();
  const std::string big = head + "fffffffffffffff\r\nabc";
  EXPECT_EQ(feed_all(p, big, big.size()), big.size());
  EXPECT_FALSE(p.failed());
  EXPECT_FALSE(p.done());
  p.on_eof();
  EXPECT_TRUE(p.failed());
}

TEST(HostileResponse, ContentLengthsThatAreNotPlainNumbersAreRefused) {
  for (const std::string& v : std::vector<std::string>{"-1", "+5", "1 2", "0x10", "1e3",
                                                       "99999999999999999999", "", "1,1"})
    EXPECT_NE(
        failure("HTTP/1.1 200 OK\r\nContent-Length: " + v + "\r\n\r\n").find("Content-Length"),
        std::string::npos)
        << v;
}

// A flood of header lines (or of interim responses) is refused once the header bytes pass the
// cap, however it is split; without a cap the parser would read it until --timeout.
TEST(HostileResponse, HeaderFloodsAreRefusedAtTheCap) {
  std::string flood = "HTTP/1.1 200 OK\r\n";
  while (flood.size() <= ResponseParser::max_header_bytes + 100)
    flood += "X-Flood: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  for (std::size_t piece : {std::size_t(7), std::size_t(16384)}) {
    ResponseParser p;
    p.reset();
    const auto used = feed_all(p, flood, piece);
    EXPECT_TRUE(p.failed()) << piece;
    EXPECT_NE(std::string(p.error()).find("header"), std::string::npos) << p.error();
    EXPECT_LE(used, ResponseParser::max_header_bytes + ResponseParser::max_line + piece);
  }
  std::string interim;
  while (interim.size() <= ResponseParser::max_header_bytes + 100)
    interim += "HTTP/1.1 100 Continue\r\n\r\n";
  ResponseParser p;
  p.reset();
  feed_all(p, interim, 4096);
  EXPECT_TRUE(p.failed());
}

TEST(HostileResponse, EndlessStrayLineEndsBeforeAStatusAreRefusedAtTheCap) {
  const std::string crlfs(ResponseParser::max_header_bytes + 10, '\n');
  ResponseParser p;
  p.reset();
  feed_all(p, crlfs, 4096);
  EXPECT_TRUE(p.failed());
}

// A sampled (captured) body stops growing at the cap; the parse goes on to the end.
TEST(HostileResponse, ACapturedBodyIsCappedNotGrownWithoutBound) {
  std::string captured;
  ResponseParser p;
  p.reset(false, &captured);
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  p.feed(head.data(), head.size());
  const std::string chunk = "100000\r\n" + std::string(0x100000, 'x') + "\r\n"; // 1 MiB
  const auto chunks = ResponseParser::max_capture / 0x100000 + 3;
  for (std::size_t i = 0; i < chunks; ++i)
    ASSERT_EQ(p.feed(chunk.data(), chunk.size()), chunk.size());
  const std::string last = "0\r\n\r\n";
  p.feed(last.data(), last.size());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.body_bytes(), chunks * 0x100000);
  EXPECT_EQ(captured.size(), ResponseParser::max_capture);
  EXPECT_TRUE(p.capture_truncated());
  p.reset(false, &captured); // the next response starts a whole capture again
  EXPECT_FALSE(p.capture_truncated());
}

TEST(HostileResponse, EveryByteValueAtEveryStateEndsWithoutCrashing) {
  const std::vector<std::string> prefixes = {
      "",
      "HTTP/1.1 200 OK\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"};
  for (const auto& prefix : prefixes)
    for (int b = 0; b < 256; ++b) {
      ResponseParser p;
      p.reset();
      p.count_rows(true);
      std::string wire = prefix + std::string(300, static_cast<char>(b));
      const auto used = feed_all(p, wire, 13);
      EXPECT_LE(used, wire.size());
      if (!p.done() && !p.failed()) p.on_eof();
      EXPECT_TRUE(p.done() || p.failed());
    }
}

// ---- .hlog ----

// A V2 (uncompressed) histogram header with the given geometry and a payload of counts.
std::string v2(std::int64_t lowest, std::int64_t highest, std::uint32_t digits,
               const std::string& payload) {
  std::string out;
  auto u32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
      out.push_back(static_cast<char>((v >> s) & 0xff));
  };
  auto u64 = [&](std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8)
      out.push_back(static_cast<char>((v >> s) & 0xff));
  };
  u32(0x1c849313);
  u32(static_cast<std::uint32_t>(payload.size()));
  u32(0);
  u32(digits);
  u64(static_cast<std::uint64_t>(lowest));
  u64(static_cast<std::uint64_t>(highest));
  u64(0x3ff0000000000000ULL); // 1.0
  return out + payload;
}

// HdrHistogram's ZigZag LEB128 (9 bytes at most).
std::string zigzag(std::int64_t value) {
  auto v = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if ((v >> 7) == 0) {
      out.push_back(static_cast<char>(v));
      return out;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v & 0xff));
  return out;
}

TEST(HostileHlog, AbsurdGeometriesAreRefusedWithAReason) {
  struct Case {
    std::int64_t lowest, highest;
    std::uint32_t digits;
    const char* says;
  };
  for (const auto& c :
       {Case{0, 1000, 3, "lowest"}, Case{-5, 1000, 3, "lowest"},
        Case{INT64_MIN, INT64_MAX, 3, "lowest"}, Case{INT64_MAX, INT64_MAX, 3, "lowest"},
        Case{std::int64_t(1) << 55, INT64_MAX, 3, "lowest"}, Case{1, 1000, 6, "digits"},
        Case{1, 1000, 0xffffffff, "digits"}, Case{1, -7, 3, "highest"}}) {
    auto h = Histogram::decode(v2(c.lowest, c.highest, c.digits, zigzag(1)));
    ASSERT_FALSE(h.ok()) << c.lowest << " " << c.highest << " " << c.digits;
    EXPECT_NE(h.error().message.find(c.says), std::string::npos) << h.error().message;
  }
  // The largest geometry Java allows (1 .. 2^63-1 at 5 digits) is accepted and still bounded.
  auto widest = Histogram::decode(v2(1, INT64_MAX, 5, zigzag(-1000) + zigzag(3)));
  ASSERT_TRUE(widest.ok()) << widest.error().message;
  EXPECT_EQ(widest->total_count(), 3);
}

TEST(HostileHlog, CountsThatOverflowAreRefused) {
  auto huge = Histogram::decode(v2(1, 1000, 3, zigzag(INT64_MAX) + zigzag(INT64_MAX)));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("overflow"), std::string::npos) << huge.error().message;
  // A zero run of -2^63 (ZigZag's most negative) is a run past the end, not a wrap-around.
  auto run = Histogram::decode(v2(1, 1000, 3, zigzag(INT64_MIN) + zigzag(1)));
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("beyond"), std::string::npos) << run.error().message;
  auto trailing = Histogram::decode(v2(1, 1000, 3, zigzag(1) + zigzag(INT64_MIN)));
  ASSERT_TRUE(trailing.ok()) << trailing.error().message;
  EXPECT_EQ(trailing->total_count(), 1);
  // Two histograms whose sum would overflow: the add is refused, nothing wraps.
  auto a = Histogram::decode(v2(1, 1000, 3, zigzag(INT64_MAX - 1)));
  ASSERT_TRUE(a.ok());
  Histogram sum;
  ASSERT_TRUE(sum.add(*a).ok());
  EXPECT_FALSE(sum.add(*a).ok());
  EXPECT_EQ(sum.total_count(), INT64_MAX - 1);
}

TEST(HostileHlog, TruncatedAndGarbageHistogramsAreProblemsAndReadingGoesOn) {
  Histogram good;
  good.record(42);
  const auto line = hlog_line("", 1.0, 1.0, good);
  const auto at = line.find("HISTF");
  std::string log = hlog_header(1'700'000'000.0, "t");
  log += line.substr(0, at + 9) + "\n";                       // base64 cut short
  log += line.substr(0, at) + "HISTF====\n";                  // padding only
  log += line.substr(0, at) + "!!!!\n";                       // not base64
  log += line.substr(0, at) + base64::encode("HISTF") + "\n"; // decodes to too few bytes
  log += line.substr(0, at) + "\n";                           // no histogram
  log += "Tag=,,,,\n";
  log += "Tag=only\n";
  log += line; // and a good one at the end
  int entries = 0;
  auto info = read_hlog(log, "x.hlog", [&](HlogEntry&) { ++entries; });
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(info->problems.size(), 7u);
  for (const auto& p : info->problems)
    EXPECT_EQ(p.rfind("x.hlog:", 0), 0u) << p;
}

// A compressed histogram that inflates far beyond anything a histogram needs is refused
// without inflating it whole.
TEST(HostileHlog, ACompressionBombIsRefused) {
  // 80 MiB of zero counts, deflated a MiB at a time (the input never exists whole).
  const std::string header = v2(1, 1000, 3, "");
  const std::string mib(std::size_t(1) << 20, '\0');
  std::string zipped(std::size_t(1) << 20, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit(&z, 1), Z_OK);
  z.next_out = reinterpret_cast<Bytef*>(zipped.data());
  z.avail_out = static_cast<uInt>(zipped.size());
  auto feed = [&](const std::string& in, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    while (z.avail_in > 0 || flush == Z_FINISH)
      if (deflate(&z, flush) == Z_STREAM_END) break;
  };
  feed(header, Z_NO_FLUSH);
  for (int i = 0; i < 80; ++i)
    feed(mib, Z_NO_FLUSH);
  feed("", Z_FINISH);
  zipped.resize(z.total_out);
  deflateEnd(&z);
  std::string bytes;
  for (std::uint32_t v : {0x1c849314u, static_cast<std::uint32_t>(zipped.size())})
    for (int s = 24; s >= 0; s -= 8)
      bytes.push_back(static_cast<char>((v >> s) & 0xff));
  bytes += zipped;
  auto h = Histogram::decode(bytes);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("inflate"), std::string::npos) << h.error().message;
}

// A bucket just short of a huge total rounds to 100 %: the table still ends (it printed lines
// until memory ran out).
TEST(HostileHlog, PercentileTableOfHugeCountsEnds) {
  Histogram h;
  h.record(10, std::int64_t(1) << 60);
  h.record(1000, 1);
  const auto table = percentile_distribution(h);
  EXPECT_LT(table.size(), 100'000u);
  EXPECT_NE(table.find("1.000000000000"), std::string::npos) << table;
}

// Problems are capped: a file of a million bad lines does not become a million messages.
TEST(HostileHlog, AFloodOfBadLinesKeepsABoundedListOfProblems) {
  std::string log;
  for (int i = 0; i < 200'000; ++i)
    log += "x\n";
  auto info = read_hlog(log, "bad.hlog", [](HlogEntry&) {});
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->problems.size(), HlogInfo::max_problems + 1);
  EXPECT_NE(info->problems.back().find("199900 more"), std::string::npos) << info->problems.back();
}

} // namespace
} // namespace konform::load
