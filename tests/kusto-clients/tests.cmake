# Real, unmodified Kusto SDK clients (npm: azure-kusto-data / azure-kusto-ingest 7.x, Azurite)
# against `konform serve` on free loopback ports. run.sh installs node_modules with `npm ci` when
# missing (package-lock.json is committed).
set(_kusto_clients ${CMAKE_CURRENT_LIST_DIR})
foreach(_script data_client streaming_ingest)
  add_test(NAME kusto_clients.${_script}
    COMMAND ${_kusto_clients}/run.sh $<TARGET_FILE:konform> ${_script}.mjs)
  set_tests_properties(kusto_clients.${_script} PROPERTIES LABELS realclients TIMEOUT 600)
endforeach()
# Queued ingestion: run.sh starts Azurite (npm, loopback, in memory, no telemetry) and konform serve
# with its data-management role on another port.
# status_table: ReportMethod Table/QueueAndTable through Azurite's table service (https, with a
# throw-away certificate run.sh makes with openssl).
foreach(_script queued_ingest status_table)
  add_test(NAME kusto_clients.${_script}
    COMMAND ${_kusto_clients}/run.sh $<TARGET_FILE:konform> ${_script}.mjs)
  set_tests_properties(kusto_clients.${_script} PROPERTIES LABELS realclients TIMEOUT 600
    ENVIRONMENT WITH_AZURITE=1)
endforeach()
# The flows of the official Node SDK e2e suite (setup commands, table-status polling, ingest from
# blob, ignoreFirstRecord, cleanup), written by this project: `ctest -L sdk-suites`. Also labelled
# realclients so that runs that leave real clients out (asan) leave it out too.
add_test(NAME kusto_clients.sdk_suite
  COMMAND ${_kusto_clients}/run.sh $<TARGET_FILE:konform> sdk_suite.mjs)
set_tests_properties(kusto_clients.sdk_suite PROPERTIES LABELS "realclients;sdk-suites"
  TIMEOUT 600 ENVIRONMENT WITH_AZURITE=1)
# The management commands and query shapes of the Python, Go and Java SDK e2e suites, sent by
# azure-kusto-data (no Azurite needed).
add_test(NAME kusto_clients.other_sdk_suites
  COMMAND ${_kusto_clients}/run.sh $<TARGET_FILE:konform> other_sdk_suites.mjs)
set_tests_properties(kusto_clients.other_sdk_suites PROPERTIES LABELS "realclients;sdk-suites"
  TIMEOUT 600)
