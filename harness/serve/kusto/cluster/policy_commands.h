#pragma once
// Policies and caches, the management commands the official SDKs' end-to-end suites send in
// their setup (README, section serve-kusto):
//   .alter table T|database D policy streamingingestion enable|disable|'{json}'
//   .alter table T|database D policy ingestionbatching|retention '{json}' (or @'{json}')
//   .alter table T policy auto_delete @'{"ExpiryDate":..., "DeleteIfNotEmpty":...}'
//   .show table T|database D policy streamingingestion|ingestionbatching|retention
//   .delete table T|database D policy streamingingestion|ingestionbatching|retention
//   .clear database cache streamingingestion schema | .clear table T cache streamingingestion
//   schema .refresh database 'D' [table 'T'] cache ingestionbatchingpolicy
// Policies are validated, stored and shown; konform does not act on them (streaming ingestion
// works without the policy, queued ingestion is never batched). Cache commands are accepted
// no-ops answering the service's result table.
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"

#include <optional>
#include <string_view>

namespace konform::serve::kusto::cluster {

// The result when `command` is one of the commands above (or a malformed or unsupported variant
// of them: a Failure), nullopt when it is some other command.
std::optional<Result<ResultTable, Failure>>
run_policy_command(Catalog& catalog, std::string_view database, std::string_view command);

} // namespace konform::serve::kusto::cluster
