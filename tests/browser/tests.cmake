# The HTML reports in a real browser: Debian's headless chromium loads each report from file://,
# its DOM is asserted, no JavaScript error may be logged, and a screenshot lands in reports/ for
# a person to look at. Skipped (exit 77) when chromium is not installed.
add_test(NAME browser.html_reports
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:konform> ${PROJECT_SOURCE_DIR})
set_tests_properties(browser.html_reports PROPERTIES LABELS interop TIMEOUT 300
  SKIP_RETURN_CODE 77)
