// konform diff's two file readers: the noise file (--noise) and two saved JSON reports
// (--reports OLD NEW). A noise file that reads must write back as a file that reads to the same
// text (--learn-noise output is meant to be edited and read again); two reports that compare
// must render as console and JSON. A selector byte (fuzz_input.h) picks the report pair, split
// at the first NUL into the old and the new report.
#include "diff/noise.h"
#include "diff/reports.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::take_selector(text)) {
    auto [old_text, new_text] = fuzz::split_nul(text);
    if (auto changes = diff::compare_reports(old_text, "old.json", new_text, "new.json")) {
      (void)diff::console_report_changes(*changes);
      (void)diff::json_report_changes(*changes);
    }
    return 0;
  }
  auto noise = diff::parse_noise_file(text, "fuzz.noise.json");
  if (!noise) return 0;
  std::string written = diff::noise_file_text(*noise);
  auto again = diff::parse_noise_file(written, "written.noise.json");
  if (!again || diff::noise_file_text(*again) != written) __builtin_trap();
  return 0;
}
