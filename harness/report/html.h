#pragma once
// Building blocks of konform's self-contained HTML reports (check here, load and merge in
// load/html_report.cpp): one file with its CSS, JavaScript and SVG inline, nothing fetched, so it
// opens from file:// on a machine without network. Every text goes through escaped().
#include <string>
#include <string_view>
#include <vector>

namespace konform::report::html {

// Text and attribute values: & < > " ' escaped; control characters other than \n \t shown as
// U+FFFD so that a binary body cannot break the page.
std::string escaped(std::string_view text);

// The page around `body`: <!doctype>, <head> with the shared CSS plus `extra_css`, and at the end
// of <body> a script that runs `script` and, when nothing threw, sets data-konform-ready="1" on
// <body> (what the browser test looks for in the dumped DOM).
std::string page(std::string_view title, std::string_view body, std::string_view extra_css = "",
                 std::string_view script = "");

// Content written as data instead of markup: a report with 1,000 failed steps carries megabytes
// of differences, bodies and tables, and a browser that builds them all as DOM takes seconds to
// open the page. Each fragment becomes one JSON string in a data block; the page's script
// (kDeferredScript) turns it into DOM when it is needed.
class Deferred {
public:
  // A folded <details class="cls"> whose `content` (markup) is built on first open.
  std::string details(std::string_view cls, std::string_view summary_markup, std::string content);
  // A <div class="cls"> whose `content` is built when it comes near the viewport.
  std::string on_view(std::string_view cls, std::string content);
  // The data block, to be placed in the page body; "" when nothing was deferred.
  std::string data_block() const;

private:
  std::string add(std::string content);
  std::vector<std::string> fragments_;
};
// Script that builds deferred content: a <details> on its first opening, an on_view block when
// it scrolls near; "#expanded" in the address builds and opens everything (to search or print).
extern const std::string_view kDeferredScript;

// A JSON body pretty-printed when it parses, else as it came; escaped.
std::string body_text(std::string_view body);

// A Kusto v1 (Tables[]) or v2 (DataTable frames) response body as HTML tables, the cells (or
// rows) whose JSON path is in `difference_paths` marked; "" when the body is neither.
std::string kusto_tables(std::string_view body, const std::vector<std::string>& difference_paths);

} // namespace konform::report::html
