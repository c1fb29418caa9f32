#include "load/histogram.h"

#include "core/gzip.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace konform::load {
namespace {

constexpr std::uint32_t v2_cookie = 0x1c849313;            // 0x1c849303 | 0x10 (ZigZag LEB128)
constexpr std::uint32_t v2_compressed_cookie = 0x1c849314; // 0x1c849304 | 0x10
constexpr std::uint32_t cookie_base(std::uint32_t c) {
  return c & ~0xf0u;
}
constexpr std::size_t v2_header_size = 40;

void put_u32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<char>((v >> s) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8)
    out.push_back(static_cast<char>((v >> s) & 0xff));
}
std::uint64_t get_be(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}

// HdrHistogram's LEB128-64b9B: 7 bits per byte, low group first; the 9th byte carries the last
// 8 bits whole, so every 64-bit value fits in 9 bytes (not protobuf-compatible on purpose).
void put_zigzag(std::string& out, std::int64_t signed_value) {
  auto v = (static_cast<std::uint64_t>(signed_value) << 1) ^
           static_cast<std::uint64_t>(signed_value >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((v >> 7) == 0) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v & 0xff));
}

bool get_zigzag(std::string_view b, std::size_t& at, std::size_t end, std::int64_t& out) {
  std::uint64_t v = 0;
  int shift = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= end) return false;
    auto byte = static_cast<std::uint64_t>(static_cast<unsigned char>(b[at++]));
    if (i == 8) {
      v |= byte << 56;
      break;
    }
    v |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) == 0) break;
  }
  out = static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  return true;
}

} // namespace

Histogram::Histogram(std::int64_t lowest, std::int64_t highest, int digits)
    : lowest_(lowest), highest_(highest), digits_(digits) {
  const std::int64_t largest_single_unit = 2 * static_cast<std::int64_t>(std::pow(10, digits));
  const int magnitude =
      static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit))));
  sub_bucket_half_count_magnitude_ = (magnitude > 1 ? magnitude : 1) - 1;
  unit_magnitude_ = 63 - std::countl_zero(static_cast<std::uint64_t>(lowest));
  sub_bucket_count_ = 1 << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (static_cast<std::int64_t>(sub_bucket_count_) - 1) << unit_magnitude_;
  leading_zero_count_base_ = 64 - unit_magnitude_ - sub_bucket_half_count_magnitude_ - 1;

  std::int64_t smallest_untrackable = static_cast<std::int64_t>(sub_bucket_count_)
                                      << unit_magnitude_;
  int buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  bucket_count_ = buckets;
  counts_.assign(static_cast<std::size_t>(bucket_count_ + 1) *
                     static_cast<std::size_t>(sub_bucket_half_count_),
                 0);
}

Result<Histogram> Histogram::make(std::int64_t lowest, std::int64_t highest, int digits) {
  if (lowest < 1)
    return make_error("histogram: lowest discernible value must be >= 1, got " +
                      std::to_string(lowest));
  if (digits < 0 || digits > 5)
    return make_error("histogram: significant digits must be 0..5, got " + std::to_string(digits));
  // Java's limit: beyond it the bucket arithmetic overflows 64 bits.
  const int unit_magnitude = 63 - std::countl_zero(static_cast<std::uint64_t>(lowest));
  const int half_magnitude =
      std::max(1, static_cast<int>(std::ceil(std::log2(2 * std::pow(10.0, digits))))) - 1;
  if (unit_magnitude + half_magnitude > 61)
    return make_error("histogram: lowest discernible value " + std::to_string(lowest) +
                      " is too large for " + std::to_string(digits) + " significant digits");
  if (highest / 2 < lowest)
    return make_error("histogram: highest trackable value " + std::to_string(highest) +
                      " must be at least twice the lowest " + std::to_string(lowest));
  Histogram h(lowest, highest, digits);
  if (h.counts_length() > (std::size_t(1) << 24))
    return make_error("histogram: geometry too large (" + std::to_string(h.counts_length()) +
                      " counters)");
  return h;
}

int Histogram::counts_index(std::int64_t value) const {
  const int bucket_index = leading_zero_count_base_ -
                           std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int sub_bucket_index = static_cast<int>(value >> (bucket_index + unit_magnitude_));
  return ((bucket_index + 1) << sub_bucket_half_count_magnitude_) +
         (sub_bucket_index - sub_bucket_half_count_);
}

std::int64_t Histogram::value_from_index(int index) const {
  int bucket_index = (index >> sub_bucket_half_count_magnitude_) - 1;
  int sub_bucket_index = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket_index < 0) {
    sub_bucket_index -= sub_bucket_half_count_;
    bucket_index = 0;
  }
  return static_cast<std::int64_t>(sub_bucket_index) << (bucket_index + unit_magnitude_);
}

std::int64_t Histogram::size_of_equivalent_range(std::int64_t value) const {
  const int bucket_index = leading_zero_count_base_ -
                           std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int sub_bucket_index = static_cast<int>(value >> (bucket_index + unit_magnitude_));
  const int adjusted = sub_bucket_index >= sub_bucket_count_ ? bucket_index + 1 : bucket_index;
  return std::int64_t(1) << (unit_magnitude_ + adjusted);
}

std::int64_t Histogram::lowest_equivalent(std::int64_t value) const {
  const int bucket_index = leading_zero_count_base_ -
                           std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int sub_bucket_index = static_cast<int>(value >> (bucket_index + unit_magnitude_));
  return static_cast<std::int64_t>(sub_bucket_index) << (bucket_index + unit_magnitude_);
}

std::int64_t Histogram::highest_equivalent(std::int64_t value) const {
  // In this order: the top range of a geometry up to 2^63 - 1 ends exactly there.
  return lowest_equivalent(value) + (size_of_equivalent_range(value) - 1);
}

std::int64_t Histogram::median_equivalent(std::int64_t value) const {
  return lowest_equivalent(value) + (size_of_equivalent_range(value) >> 1);
}

bool Histogram::record(std::int64_t value, std::int64_t count) {
  bool in_range = true;
  if (value < 0) value = 0;
  if (value > highest_) {
    value = highest_;
    clamped_ += count;
    in_range = false;
  }
  counts_[static_cast<std::size_t>(counts_index(value))] += count;
  total_ += count;
  if (value > max_value_) max_value_ = value;
  if (value < min_value_) min_value_ = value;
  return in_range;
}

void Histogram::record_corrected(std::int64_t value, std::int64_t expected_interval) {
  record(value);
  if (expected_interval <= 0) return;
  for (std::int64_t missing = value - expected_interval; missing >= expected_interval;
       missing -= expected_interval)
    record(missing);
}

Status Histogram::add(const Histogram& other) {
  // Every count is at most its histogram's total: a sum that fits cannot overflow anywhere.
  if (other.total_ > INT64_MAX - total_)
    return make_error("histogram: adding " + std::to_string(other.total_) + " values to " +
                      std::to_string(total_) + " would overflow the 64-bit counts");
  if (lowest_ == other.lowest_ && digits_ == other.digits_ &&
      counts_.size() >= other.counts_.size()) {
    for (std::size_t i = 0; i < other.counts_.size(); ++i)
      counts_[i] += other.counts_[i];
    total_ += other.total_;
    clamped_ += other.clamped_;
    if (other.total_ > 0) {
      max_value_ = std::max(max_value_, other.max_value_);
      min_value_ = std::min(min_value_, other.min_value_);
    }
    return Ok{};
  }
  if (other.total_ > 0 && other.max() > highest_)
    return make_error("histogram: cannot add values up to " + std::to_string(other.max()) +
                      " into a histogram that tracks up to " + std::to_string(highest_));
  other.for_each_bucket([&](std::int64_t v, std::int64_t c) { record(v, c); });
  return Ok{};
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  clamped_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
}

std::int64_t Histogram::min() const {
  return total_ == 0 ? 0 : lowest_equivalent(min_value_);
}
std::int64_t Histogram::max() const {
  return total_ == 0 ? 0 : highest_equivalent(max_value_);
}

double Histogram::mean() const {
  if (total_ == 0) return 0;
  double sum = 0;
  for_each_bucket([&](std::int64_t v, std::int64_t c) {
    sum += static_cast<double>(median_equivalent(v)) * static_cast<double>(c);
  });
  return sum / static_cast<double>(total_);
}

double Histogram::stdev() const {
  if (total_ == 0) return 0;
  const double m = mean();
  double sum = 0;
  for_each_bucket([&](std::int64_t v, std::int64_t c) {
    const double d = static_cast<double>(median_equivalent(v)) - m;
    sum += d * d * static_cast<double>(c);
  });
  return std::sqrt(sum / static_cast<double>(total_));
}

std::int64_t Histogram::value_at_percentile(double p) const {
  if (total_ == 0) return 0;
  const double requested = std::clamp(std::nextafter(p, -1.0), 0.0, 100.0);
  auto at = static_cast<std::int64_t>(std::ceil(requested / 100.0 * static_cast<double>(total_)));
  at = std::max<std::int64_t>(at, 1);
  std::int64_t running = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    running += counts_[i];
    if (running >= at) {
      const auto v = value_from_index(static_cast<int>(i));
      return p == 0.0 ? lowest_equivalent(v) : highest_equivalent(v);
    }
  }
  return 0;
}

std::int64_t Histogram::count_at_or_below(std::int64_t value) const {
  if (value < 0) return 0;
  const int last = counts_index(std::min(value, highest_));
  std::int64_t sum = 0;
  for (int i = 0; i <= last && i < static_cast<int>(counts_.size()); ++i)
    sum += counts_[static_cast<std::size_t>(i)];
  return sum;
}

bool Histogram::same_counts(const Histogram& other) const {
  return lowest_ == other.lowest_ && digits_ == other.digits_ && counts_ == other.counts_;
}

void Histogram::recompute_summary() {
  total_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
  for_each_bucket([&](std::int64_t v, std::int64_t c) {
    total_ += c;
    min_value_ = std::min(min_value_, v);
    max_value_ = std::max(max_value_, v);
  });
}

std::string Histogram::encode() const {
  std::string out;
  out.reserve(v2_header_size + 64);
  put_u32(out, v2_cookie);
  put_u32(out, 0); // payload length, patched below
  put_u32(out, 0); // normalizingIndexOffset
  put_u32(out, static_cast<std::uint32_t>(digits_));
  put_u64(out, static_cast<std::uint64_t>(lowest_));
  put_u64(out, static_cast<std::uint64_t>(highest_));
  double ratio = 1.0;
  std::uint64_t ratio_bits = 0;
  std::memcpy(&ratio_bits, &ratio, sizeof ratio);
  put_u64(out, ratio_bits);

  const int limit = (total_ == 0 ? 0 : counts_index(max_value_)) + 1;
  int i = 0;
  while (i < limit) {
    const std::int64_t count = counts_[static_cast<std::size_t>(i++)];
    std::int64_t zeros = 0;
    if (count == 0) {
      zeros = 1;
      while (i < limit && counts_[static_cast<std::size_t>(i)] == 0) {
        ++zeros;
        ++i;
      }
    }
    put_zigzag(out, zeros > 1 ? -zeros : count);
  }
  const auto payload = static_cast<std::uint32_t>(out.size() - v2_header_size);
  for (int b = 0; b < 4; ++b)
    out[4 + static_cast<std::size_t>(b)] = static_cast<char>((payload >> (24 - 8 * b)) & 0xff);
  return out;
}

std::string Histogram::encode_compressed() const {
  const std::string zipped = gzip::compress(encode(), gzip::Format::zlib_deflate, 9);
  std::string out;
  out.reserve(8 + zipped.size());
  put_u32(out, v2_compressed_cookie);
  put_u32(out, static_cast<std::uint32_t>(zipped.size()));
  out += zipped;
  return out;
}

Result<Histogram> Histogram::decode(std::string_view bytes) {
  if (bytes.size() < 8)
    return make_error("histogram: encoding too short (" + std::to_string(bytes.size()) + " bytes)");
  const auto cookie = static_cast<std::uint32_t>(get_be(bytes, 0, 4));
  if (cookie_base(cookie) == cookie_base(v2_compressed_cookie)) {
    const auto length = get_be(bytes, 4, 4);
    if (length > bytes.size() - 8)
      return make_error("histogram: compressed length " + std::to_string(length) + " exceeds the " +
                        std::to_string(bytes.size() - 8) + " bytes present");
    // The largest histogram Java can make (1 .. 2^63 - 1 at 5 digits, ~6.2M counters) encodes in
    // under 9 bytes a counter: more than this is a compression bomb, refused at the limit.
    auto inner = gzip::decompress(bytes.substr(8, length), gzip::Format::zlib_deflate,
                                  std::size_t(64) << 20);
    if (!inner)
      return make_error("histogram: compressed payload does not inflate: " + inner.error().message);
    if (inner->size() >= 4 && cookie_base(static_cast<std::uint32_t>(get_be(*inner, 0, 4))) ==
                                  cookie_base(v2_compressed_cookie))
      return make_error("histogram: nested compressed encoding");
    return decode(*inner);
  }
  if (cookie_base(cookie) != cookie_base(v2_cookie)) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", cookie);
    return make_error(std::string("histogram: cookie ") + hex +
                      " is not an HdrHistogram V2 encoding (expected 0x1c849313 or 0x1c849314; "
                      "V0/V1 logs must be converted with a current HdrHistogram)");
  }
  if (bytes.size() < v2_header_size) return make_error("histogram: V2 header truncated");
  const auto payload = get_be(bytes, 4, 4);
  const auto digits = static_cast<int>(get_be(bytes, 12, 4));
  const auto lowest = static_cast<std::int64_t>(get_be(bytes, 16, 8));
  const auto highest = static_cast<std::int64_t>(get_be(bytes, 24, 8));
  if (payload > bytes.size() - v2_header_size)
    return make_error("histogram: payload length " + std::to_string(payload) + " exceeds the " +
                      std::to_string(bytes.size() - v2_header_size) + " bytes present");
  if (lowest < 1 || lowest > INT64_MAX / 2)
    return make_error("histogram: lowest discernible value " + std::to_string(lowest) +
                      " is out of range (1 .. 2^62)");
  if (highest < 0)
    return make_error("histogram: highest trackable value " + std::to_string(highest) +
                      " is negative");
  // Some writers (HdrHistogramJS) leave highest at a small value; use at least our default.
  auto made = make(lowest, std::max(highest, std::max<std::int64_t>(2 * lowest, 2)), digits);
  if (!made) return made.error();
  Histogram h = std::move(*made);
  std::size_t at = v2_header_size;
  const std::size_t end = v2_header_size + payload;
  std::size_t index = 0;
  std::int64_t total = 0;
  while (at < end) {
    std::int64_t v = 0;
    if (!get_zigzag(bytes, at, end, v))
      return make_error("histogram: truncated count at payload byte " +
                        std::to_string(at - v2_header_size));
    if (v < 0) { // a run of zeros; past the array it stays past it (no wrap-around)
      const auto run = static_cast<std::uint64_t>(-(v + 1)) + 1;
      index = run > h.counts_.size() ? h.counts_.size() + 1 : index + static_cast<std::size_t>(run);
      continue;
    }
    if (v > INT64_MAX - total)
      return make_error("histogram: the counts overflow 64 bits at index " + std::to_string(index));
    total += v;
    if (index >= h.counts_.size()) {
      if (v == 0) { // trailing zero counts past our array are harmless
        ++index;
        continue;
      }
      return make_error("histogram: count at index " + std::to_string(index) +
                        " is beyond the highest trackable value " + std::to_string(highest));
    }
    // The top of the last bucket of a geometry up to 2^63 - 1 holds values past it (negative
    // once shifted): Java reads them as garbage, this refuses them.
    if (v > 0 && h.value_from_index(static_cast<int>(index)) < 0)
      return make_error("histogram: count at index " + std::to_string(index) +
                        " is beyond the largest 64-bit value");
    h.counts_[index++] = v;
  }
  h.recompute_summary();
  return h;
}

} // namespace konform::load
