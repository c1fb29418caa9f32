# Real ksqlDB clients against `konform serve` on free loopback ports: the npm
# @cubejs-backend/ksql-driver (axios, HTTP/1.1), a raw Node HTTP/1.1 reader of the chunked
# /query stream, the npm ksqldb-client (HTTP/2 prior knowledge) and a raw Node http2 client of
# /inserts-stream. run.sh installs node_modules with `npm ci` when missing (package-lock.json is
# committed).
set(_ksql_clients ${CMAKE_CURRENT_LIST_DIR})
foreach(_script cube_ksql_driver push_query_stream ksqldb_client inserts_stream_h2)
  add_test(NAME ksql_clients.${_script}
    COMMAND ${_ksql_clients}/run.sh $<TARGET_FILE:konform> ${_script}.mjs)
  set_tests_properties(ksql_clients.${_script} PROPERTIES LABELS realclients TIMEOUT 300)
endforeach()
