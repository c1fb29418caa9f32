#pragma once
// Type checking and evaluation of the expressions the subset supports: literals, columns
// (including ROWTIME, ROWPARTITION, ROWOFFSET), comparisons, AND/OR/NOT, IS [NOT] NULL,
// arithmetic, ARRAY[...], MAP(...), STRUCT(...), CAST(NULL AS T).
#include "core/result.h"
#include "serve/ksql/database.h"

#include <optional>
#include <string>
#include <vector>

namespace konform::serve::ksql {

// One row as queries see it.
struct RowView {
  const std::vector<Column>* columns = nullptr; // the source's columns, declared order
  const std::vector<Value>* values = nullptr;   // same order
  std::int64_t rowtime = 0;
  std::int64_t offset = 0;
};

// The type of an expression; nullopt means the NULL literal. An error when the expression is
// outside the subset or ill-typed (the server's message where known).
using TypeCheck = Result<std::optional<SqlType>>;

// `clause` names where the expression sits ("SELECT", "WHERE") for error messages.
TypeCheck check_expression(const Expr& e, const std::vector<Column>& columns,
                           const std::string& clause);

// Index of a column by name, or -1. Pseudo columns: -2 ROWTIME, -3 ROWPARTITION, -4 ROWOFFSET.
int find_column(const std::vector<Column>& columns, const std::string& name);

Value evaluate(const Expr& e, const RowView& row);
// Evaluates an expression that has no column references (INSERT VALUES).
Value evaluate_constant(const Expr& e);
// True when the expression references a column anywhere.
bool references_columns(const Expr& e);

} // namespace konform::serve::ksql
