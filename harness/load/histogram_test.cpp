// The histogram against exact computation: percentiles within the 3-digit precision, merge equal
// to one histogram of the union, the V2 encoding round trip, and the interval log.
#include "core/base64.h"
#include "load/histogram.h"
#include "load/hlog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace konform::load {
namespace {

std::vector<std::int64_t> random_latencies(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(7.0, 1.5); // ~1 ms median, long tail
  std::vector<std::int64_t> v(n);
  for (auto& x : v)
    x = std::min<std::int64_t>(static_cast<std::int64_t>(dist(rng)) + 1, 3'000'000'000);
  return v;
}

// The Java rule on exact data: the ceil(p/100 × N)-th smallest value.
std::int64_t exact_percentile(std::vector<std::int64_t> sorted, double p) {
  std::sort(sorted.begin(), sorted.end());
  // nextafter: 99.9 is 99.900000000000006 in binary, which must not round up a whole rank.
  const double q = std::nextafter(p, -1.0);
  auto rank = static_cast<std::size_t>(std::ceil(q / 100.0 * static_cast<double>(sorted.size())));
  rank = std::max<std::size_t>(rank, 1);
  return sorted[rank - 1];
}

TEST(Histogram, GeometryMatchesTheJavaReference) {
  Histogram wrk2(1, 24LL * 3600 * 1000000, 3); // wrk2 prints Buckets = 27, SubBuckets = 2048
  EXPECT_EQ(wrk2.bucket_count(), 27);
  EXPECT_EQ(wrk2.sub_bucket_count(), 2048);
  EXPECT_EQ(wrk2.counts_length(), 28u * 1024u);
  Histogram ours;
  EXPECT_GE(ours.highest(), 3'600'000'000); // at least one hour in µs
  EXPECT_EQ(ours.highest_equivalent(2047), 2047);
  EXPECT_EQ(ours.highest_equivalent(2048), 2049); // step 2 in the second bucket
  EXPECT_EQ(ours.lowest_equivalent(10'000'001), 9'994'240);
}

TEST(Histogram, PercentilesMatchExactComputationWithinPrecision) {
  const auto values = random_latencies(200'000, 42);
  Histogram h;
  for (auto v : values)
    h.record(v);
  ASSERT_EQ(h.total_count(), 200'000);
  for (double p : {0.0, 1.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const auto exact = exact_percentile(values, p == 0.0 ? 0.0001 : p);
    const auto got = h.value_at_percentile(p);
    EXPECT_TRUE(h.equivalent(got, exact))
        << "p" << p << ": histogram " << got << " exact " << exact;
    EXPECT_LE(std::abs(static_cast<double>(got - exact)), static_cast<double>(exact) / 1000.0 + 1)
        << "p" << p;
  }
  EXPECT_EQ(h.max(), h.highest_equivalent(*std::max_element(values.begin(), values.end())));
  double sum = 0;
  for (auto v : values)
    sum += static_cast<double>(v);
  const double exact_mean = sum / static_cast<double>(values.size());
  EXPECT_NEAR(h.mean(), exact_mean, exact_mean / 1000.0);
  double sq = 0;
  for (auto v : values)
    sq += (static_cast<double>(v) - exact_mean) * (static_cast<double>(v) - exact_mean);
  const double exact_stdev = std::sqrt(sq / static_cast<double>(values.size()));
  EXPECT_NEAR(h.stdev(), exact_stdev, exact_stdev / 100.0);
}

TEST(Histogram, NearestRankFollowsJavaNotC) {
  Histogram h; // N = 10, p = 91: Java takes the 10th value, the C library the 9th
  for (int i = 1; i <= 10; ++i)
    h.record(i * 100);
  EXPECT_EQ(h.value_at_percentile(91), 1000);
  EXPECT_EQ(h.value_at_percentile(90), 900);
  EXPECT_EQ(h.value_at_percentile(0), 100);
}

TEST(Histogram, MergeEqualsOneHistogramOfTheUnion) {
  const auto a = random_latencies(50'000, 1);
  const auto b = random_latencies(70'000, 2);
  Histogram ha, hb, both;
  for (auto v : a) {
    ha.record(v);
    both.record(v);
  }
  for (auto v : b) {
    hb.record(v);
    both.record(v);
  }
  ASSERT_TRUE(ha.add(hb).ok());
  EXPECT_TRUE(ha.same_counts(both));
  EXPECT_EQ(ha.total_count(), 120'000);
  EXPECT_EQ(ha.max(), both.max());
  EXPECT_EQ(ha.min(), both.min());
  EXPECT_EQ(ha.value_at_percentile(99.9), both.value_at_percentile(99.9));
}

TEST(Histogram, MergeAcrossGeometriesReRecordsAndRejectsWhatDoesNotFit) {
  Histogram wide(1, 24LL * 3600 * 1000000, 3), narrow(1, 10'000, 3);
  wide.record(5'000);
  wide.record(7);
  ASSERT_TRUE(narrow.add(wide).ok());
  EXPECT_EQ(narrow.total_count(), 2);
  EXPECT_EQ(narrow.value_at_percentile(100), narrow.highest_equivalent(5'000));
  wide.record(1'000'000);
  auto added = narrow.add(wide);
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.error().message.find("10000"), std::string::npos) << added.error().message;
}

TEST(Histogram, ValuesBeyondTheRangeAreClampedAndCounted) {
  Histogram h(1, 10'000, 3);
  EXPECT_FALSE(h.record(50'000));
  EXPECT_TRUE(h.record(5));
  EXPECT_EQ(h.clamped(), 1);
  EXPECT_EQ(h.total_count(), 2);
  EXPECT_TRUE(h.equivalent(h.max(), 10'000));
}

TEST(Histogram, RecordCorrectedBackFillsTheMissedSamples) {
  Histogram h;
  h.record_corrected(1'000, 100); // 1000, 900, ..., 100: ten samples
  EXPECT_EQ(h.total_count(), 10);
  EXPECT_EQ(h.value_at_percentile(0), 100);
  h.record_corrected(50, 100); // below the interval: just the value
  EXPECT_EQ(h.total_count(), 11);
}

TEST(Histogram, EncodeDecodeRoundTripKeepsEveryCount) {
  const auto values = random_latencies(100'000, 7);
  Histogram h;
  for (auto v : values)
    h.record(v);
  for (const auto& bytes : {h.encode(), h.encode_compressed()}) {
    auto back = Histogram::decode(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back->same_counts(h));
    EXPECT_EQ(back->total_count(), h.total_count());
    EXPECT_EQ(back->max(), h.max());
    EXPECT_EQ(back->value_at_percentile(99.99), h.value_at_percentile(99.99));
  }
  // Large counts need the 9-byte form of the ZigZag LEB128 encoding.
  Histogram big;
  big.record(3, std::int64_t(1) << 62);
  big.record(1'000'000, 123456789012345);
  auto back = Histogram::decode(big.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->same_counts(big));
}

TEST(Histogram, EncodingHasTheV2CookiesAndTheHistfPrefix) {
  Histogram h;
  h.record(1234);
  const auto raw = h.encode();
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x1c);
  EXPECT_EQ(static_cast<unsigned char>(raw[3]), 0x13);
  const auto compressed = base64::encode(h.encode_compressed());
  EXPECT_EQ(compressed.substr(0, 8), "HISTFAAA");
  Histogram empty;
  auto back = Histogram::decode(empty.encode_compressed());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->total_count(), 0);
}

TEST(Histogram, DecodesTheJavaReferenceLogLine) {
  // First line of jHiccup-2.0.7S.logV2.hlog (HdrHistogram's own test data), values in ns, 2 digits.
  auto bytes = base64::decode("HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkh"
                              "IR4nrxg9v2lMaxhvMekILGZkKmcCAEf2CsI=");
  ASSERT_TRUE(bytes.ok());
  auto h = Histogram::decode(*bytes);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->digits(), 2);
  EXPECT_EQ(h->total_count(), 741);
  EXPECT_EQ(h->max(), 2'768'895);
  EXPECT_EQ(h->value_at_percentile(50), 344'063);
  EXPECT_EQ(h->value_at_percentile(99), 409'599);
}

TEST(Histogram, DecodeRejectsDamagedInputWithAReason) {
  Histogram h;
  h.record(10);
  auto bytes = h.encode();
  bytes[0] = 0x2c;
  auto bad_cookie = Histogram::decode(bytes);
  ASSERT_FALSE(bad_cookie.ok());
  EXPECT_NE(bad_cookie.error().message.find("cookie"), std::string::npos);
  auto truncated = Histogram::decode(h.encode_compressed().substr(0, 12));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("exceeds"), std::string::npos);
}

TEST(Hlog, WriteThenReadGivesTheSameHistogramsTagsAndTimes) {
  Histogram a, b;
  for (int i = 1; i <= 1000; ++i) {
    a.record(i * 10);
    b.record(i * 3);
  }
  std::string log = hlog_header(1'700'000'000.0, "konform test");
  log += hlog_line("", 0.0, 1.0, a);
  log += hlog_line("step:query one", 0.0, 1.0, b);
  log += hlog_line("", 1.0, 1.0, b);
  EXPECT_NE(log.find("Tag=step:query_one,0.000,1.000,3.001,HISTF"), std::string::npos) << log;
  std::vector<HlogEntry> seen;
  auto info = read_hlog(log, "x.hlog", [&](HlogEntry& e) { seen.push_back(std::move(e)); });
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->problems.empty());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].tag, "");
  EXPECT_EQ(seen[1].tag, "step:query_one");
  EXPECT_DOUBLE_EQ(seen[2].start_s, 1'700'000'001.0);
  EXPECT_TRUE(seen[0].histogram.same_counts(a));
  EXPECT_TRUE(seen[1].histogram.same_counts(b));
  EXPECT_EQ(*info->start_time, 1'700'000'000.0);
}

TEST(Hlog, BadLinesAreReportedWithFileLineColumnAndReadingGoesOn) {
  Histogram a;
  a.record(5);
  std::string log = hlog_header(1'700'000'000.0, "t");
  log += "0.0,1.0,0.005,@@@notbase64\n";
  log += "zero,1.0,0.005,HISTF\n";
  log += hlog_line("", 2.0, 1.0, a);
  int entries = 0;
  auto info = read_hlog(log, "run.hlog", [&](HlogEntry&) { ++entries; });
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(entries, 1);
  ASSERT_EQ(info->problems.size(), 2u);
  EXPECT_EQ(info->problems[0].rfind("run.hlog:6:15: ", 0), 0u) << info->problems[0];
  EXPECT_EQ(info->problems[1].rfind("run.hlog:7:1: ", 0), 0u) << info->problems[1];
}

TEST(Hlog, PercentileDistributionHasWrk2sLayout) {
  Histogram h;
  for (int i = 1; i <= 10'000; ++i)
    h.record(i);
  const auto text = percentile_distribution(h);
  EXPECT_NE(text.find("       Value     Percentile TotalCount 1/(1-Percentile)"),
            std::string::npos);
  EXPECT_NE(text.find("       5.003 0.500000000000       5003           2.00"), std::string::npos)
      << text.substr(0, 800);
  EXPECT_NE(text.find("      10.007 1.000000000000      10000\n"), std::string::npos);
  EXPECT_NE(text.find("#[Buckets =           22, SubBuckets     =         2048]"),
            std::string::npos);
  EXPECT_NE(text.find("Total count    =        10000]"), std::string::npos);
}

} // namespace
} // namespace konform::load
