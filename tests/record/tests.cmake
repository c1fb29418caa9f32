# Real clients recorded and replayed (`konform record` in front of `konform serve`, then
# `konform check` of the recording): the Node packages of tests/kusto-clients and
# tests/ksql-clients, label realclients.
set(_record_tests ${CMAKE_CURRENT_LIST_DIR})
add_test(NAME record.kusto_clients
  COMMAND ${_record_tests}/run_recorded.sh $<TARGET_FILE:konform>
          ${PROJECT_SOURCE_DIR}/tests/kusto-clients record_session.mjs)
set_tests_properties(record.kusto_clients PROPERTIES LABELS realclients TIMEOUT 600
  ENVIRONMENT CHANGED=1)
add_test(NAME record.ksql_clients
  COMMAND ${_record_tests}/run_recorded.sh $<TARGET_FILE:konform>
          ${PROJECT_SOURCE_DIR}/tests/ksql-clients record_session.mjs)
set_tests_properties(record.ksql_clients PROPERTIES LABELS realclients TIMEOUT 600)
