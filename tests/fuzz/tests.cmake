# The fuzz targets' kept inputs (harness/fuzz/regressions/, harness/fuzz/seeds/) replayed in the
# ordinary build, so a crash the fuzzers found stays fixed without clang or libFuzzer: each
# target's LLVMFuzzerTestOneInput is compiled under its own name into one gtest program.
set(_fuzz_targets scenario json_path compare validate exchange response_parser hlog gzip kql ingest
    sql_parser serve_kusto serve_ksql)
set(_fuzz_sources ${PROJECT_SOURCE_DIR}/harness/fuzz/replay_test.cpp)
foreach(t IN LISTS _fuzz_targets)
  set(_src ${PROJECT_SOURCE_DIR}/harness/fuzz/${t}_fuzz.cpp)
  set_source_files_properties(${_src} PROPERTIES
    COMPILE_DEFINITIONS "LLVMFuzzerTestOneInput=konform_fuzz_${t}")
  list(APPEND _fuzz_sources ${_src})
endforeach()
konform_test_program(konform_fuzz_regressions lib unit ${_fuzz_sources})
