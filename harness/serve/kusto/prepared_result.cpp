#include "serve/kusto/prepared_result.h"

#include "serve/kusto/encode_v1.h"
#include "serve/kusto/encode_v2.h"

namespace konform::serve::kusto {

std::shared_ptr<const PreparedResult> prepare_result(cluster::ResultTable table) {
  auto prepared = std::make_shared<PreparedResult>();
  prepared->table = std::move(table);
  const auto& t = prepared->table;
  prepared->rows_json.reserve(t.rows.size() * 64);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (r) prepared->rows_json += ',';
    append_row(prepared->rows_json, t.columns, t.rows[r]);
  }
  append_columns_v2(prepared->columns_v2_json, t.columns);
  return prepared;
}

} // namespace konform::serve::kusto
