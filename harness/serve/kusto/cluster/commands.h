#pragma once
// The management commands konform serve really executes (POST /v1/rest/mgmt):
//   .show version | .show databases | .show tables | .show table T schema as json
//   .create table T (c:type, ...) | .create-merge table T (...) | .drop table T [ifexists]
//   .drop tables (T1, T2, ...) [ifexists]
//   .create[-or-alter] table T ingestion json|csv mapping "name" '[...]'
//   .show table T ingestion [json|csv] mappings
//   and the policy and cache commands of policy_commands.h.
// A .show command may be piped into query operators (".show tables | where ...").
// A valid Kusto command not listed is a "not supported" 400 naming it, never a syntax error.
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"

#include <string_view>

namespace konform::serve::kusto::cluster {

struct CommandResult {
  ResultTable table;
  bool piped = false; // answered like a query (v1 with four tables), as the service does
};

Result<CommandResult, Failure> run_command(Catalog& catalog, std::string_view database,
                                           std::string_view command);

// True for the data-management commands (.get ingestion resources, .get kusto identity token):
// the engine role answers them with the wrong-endpoint error, the DM role executes them.
bool is_dm_command(std::string_view command);
Failure wrong_endpoint_error(std::string_view command);
// `.show export containers`: the data-management role answers it (with --dm-listen); elsewhere
// it is "not supported".
bool is_show_export_containers(std::string_view command);

} // namespace konform::serve::kusto::cluster
