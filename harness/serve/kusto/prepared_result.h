#pragma once
// A query result with the parts every response repeats already in their JSON encoding: the rows
// (shared by v1 and v2) and the v2 Columns. Built once per result; the query cache hands the same
// one to every request that repeats the query.
#include "serve/kusto/cluster/database.h"

#include <memory>
#include <string>

namespace konform::serve::kusto {

struct PreparedResult {
  cluster::ResultTable table;
  std::string rows_json;       // "[...],[...]": what goes between "Rows":[ and ]
  std::string columns_v2_json; // "Columns":[...] as v2 frames write it
};

std::shared_ptr<const PreparedResult> prepare_result(cluster::ResultTable table);

} // namespace konform::serve::kusto
