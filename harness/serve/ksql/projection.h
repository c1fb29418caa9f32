#pragma once
// What a SELECT computes over its source: the output columns with their types and the expressions
// that produce them, checked as ksqlDB checks them. Shared by CREATE ... AS SELECT and by the
// pull and push queries of /query.
#include "core/result.h"
#include "serve/ksql/catalog.h"
#include "serve/ksql/statement_error.h"

#include <vector>

namespace konform::serve::ksql {

struct Projection {
  std::vector<Column> columns;
  std::vector<Expr> exprs;
};

// The output columns and expressions of the SELECT of `st` over `source`; an error names what is
// wrong (unknown column, ill-typed expression, duplicate column, non-boolean WHERE).
Result<Projection, StatementError> compile_projection(const Statement& st, const Source& source);

} // namespace konform::serve::ksql
