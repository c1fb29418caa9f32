# deploy/konform-load-job.yaml's own command, run for 4 shards as local processes against
# `konform serve` on loopback (JOB_COMPLETION_INDEX set as Kubernetes sets it), then merged:
# the shards' requests add up to one process's run with the same -n, the merged percentiles agree
# with the shards' within histogram precision, and a missing or killed shard makes merge exit 2.
add_test(NAME deploy.indexed_job_shards_merge
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:konform> ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy.indexed_job_shards_merge PROPERTIES LABELS e2e TIMEOUT 120)
