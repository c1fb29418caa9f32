#pragma once
// An HDR histogram (Gil Tene's HdrHistogram geometry, the same arithmetic as the Java reference):
// values from `lowest` to `highest` with `digits` significant decimal digits, in constant memory
// whatever the run length. `record` never allocates, so workers call it in the hot path; each
// worker owns its histograms and they are merged once at the end with `add`.
//
// Percentiles follow the Java reference rule (count = ceil(p/100 × N), highest equivalent value of
// the bucket reached) so that our numbers match HistogramLogProcessor's on the same data.
#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace konform::load {

class Histogram {
public:
  // konform records microseconds: 1 µs .. 1 hour, 3 significant digits (≈ 188 KiB).
  static constexpr std::int64_t default_lowest = 1;
  static constexpr std::int64_t default_highest = 3'600'000'000;
  static constexpr int default_digits = 3;

  // Preconditions (checked by `make` for untrusted input): lowest >= 1, highest >= 2 × lowest,
  // digits in 0..5.
  Histogram(std::int64_t lowest = default_lowest, std::int64_t highest = default_highest,
            int digits = default_digits);
  static Result<Histogram> make(std::int64_t lowest, std::int64_t highest, int digits);

  // Values above highest are clamped to highest (and counted in `clamped()`); values below 0
  // are recorded as 0. Returns false when the value had to be clamped.
  bool record(std::int64_t value, std::int64_t count = 1);
  // HdrHistogram's recordValueWithExpectedInterval: also records the samples a stalled closed
  // loop never sent (value − interval, value − 2×interval, ...). Used by `merge
  // --correct-interval` style back-fills; the load generator measures from intended times instead.
  void record_corrected(std::int64_t value, std::int64_t expected_interval);

  // Adds every count of `other`. Same geometry: counts are added index by index; otherwise each
  // bucket's value is re-recorded. Error when `other` holds values this histogram cannot track.
  Status add(const Histogram& other);
  void reset();

  std::int64_t total_count() const { return total_; }
  std::int64_t clamped() const { return clamped_; }
  std::int64_t min() const; // lowest equivalent value of the smallest recorded value; 0 if empty
  std::int64_t max() const; // highest equivalent value of the largest recorded value; 0 if empty
  double mean() const;
  double stdev() const;
  // p in [0, 100]. 0 when empty.
  std::int64_t value_at_percentile(double p) const;
  // How many recorded values are <= value (at bucket granularity).
  std::int64_t count_at_or_below(std::int64_t value) const;

  std::int64_t lowest() const { return lowest_; }
  std::int64_t highest() const { return highest_; }
  int digits() const { return digits_; }
  int bucket_count() const { return bucket_count_; }
  int sub_bucket_count() const { return sub_bucket_count_; }
  std::size_t counts_length() const { return counts_.size(); }

  std::int64_t lowest_equivalent(std::int64_t value) const;
  std::int64_t highest_equivalent(std::int64_t value) const;
  std::int64_t median_equivalent(std::int64_t value) const;
  bool equivalent(std::int64_t a, std::int64_t b) const {
    return lowest_equivalent(a) == lowest_equivalent(b);
  }
  bool same_counts(const Histogram& other) const; // geometry and every count equal

  // Visits every non-empty bucket in increasing order: f(value_of_bucket, count).
  template <class F> void for_each_bucket(F&& f) const {
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i] != 0) f(value_from_index(static_cast<int>(i)), counts_[i]);
  }

  // The HdrHistogram V2 encoding: uncompressed (cookie 0x1c849313) and zlib-compressed
  // (cookie 0x1c849314, what interval logs carry in base64).
  std::string encode() const;
  std::string encode_compressed() const;
  // Accepts both (any V2 cookie); recomputes total/min/max from the counts. The error says which
  // field is wrong.
  static Result<Histogram> decode(std::string_view bytes);

private:
  int counts_index(std::int64_t value) const;
  std::int64_t value_from_index(int index) const;
  std::int64_t size_of_equivalent_range(std::int64_t value) const;
  void recompute_summary();

  std::int64_t lowest_;
  std::int64_t highest_;
  int digits_;
  int unit_magnitude_;
  int sub_bucket_count_;
  int sub_bucket_half_count_;
  int sub_bucket_half_count_magnitude_;
  std::int64_t sub_bucket_mask_;
  int leading_zero_count_base_;
  int bucket_count_;
  std::vector<std::int64_t> counts_;
  std::int64_t total_ = 0;
  std::int64_t min_value_ = INT64_MAX; // raw values, for the bucket of the extremes
  std::int64_t max_value_ = 0;
  std::int64_t clamped_ = 0;
};

} // namespace konform::load
