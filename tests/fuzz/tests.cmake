# The fuzz targets' kept inputs (harness/fuzz/regressions/, harness/fuzz/seeds/) replayed in the
# ordinary build, so a crash the fuzzers found stays fixed without clang or libFuzzer: each
# target's LLVMFuzzerTestOneInput is compiled under its own name into one gtest program.
set(_fuzz_targets scenario json_path compare validate exchange response_parser hlog gzip kql ingest
    sql_parser serve_kusto serve_ksql diff_files serve_h2 har path elements)
set(_fuzz_sources ${PROJECT_SOURCE_DIR}/harness/fuzz/replay_test.cpp)
foreach(t IN LISTS _fuzz_targets)
  set(_src ${PROJECT_SOURCE_DIR}/harness/fuzz/${t}_fuzz.cpp)
  set_source_files_properties(${_src} PROPERTIES
    COMPILE_DEFINITIONS "LLVMFuzzerTestOneInput=konform_fuzz_${t}")
  list(APPEND _fuzz_sources ${_src})
endforeach()
# The program links every module; konform_test_program links konform_<module>, so "fuzz" names
# them all (and prefixes its tests: ctest -R '^fuzz\.').
add_library(konform_fuzz INTERFACE)
target_link_libraries(konform_fuzz INTERFACE konform_lib konform_fuzz_support)
konform_test_program(konform_fuzz_regressions fuzz unit ${_fuzz_sources})
