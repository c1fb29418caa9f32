# HdrHistogram interoperability: konform's .hlog read back by the HdrHistogram Java library
# (Debian libhdrhistogram-java, Java 17) must give konform's own counts and percentiles.
add_test(NAME hdrhistogram.java_reads_konform_hlog
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:konform>)
set_tests_properties(hdrhistogram.java_reads_konform_hlog PROPERTIES LABELS interop TIMEOUT 300)
