#include "serve/ksql/projection.h"

#include "serve/ksql/expression.h"

namespace konform::serve::ksql {

Result<Projection, StatementError> compile_projection(const Statement& st, const Source& source) {
  const Select& select = st.select;
  Projection p;
  int generated = 0;
  for (auto& item : select.items) {
    if (item.star) {
      for (auto& c : source.logical_columns()) {
        Expr e;
        e.kind = Expr::Kind::Column;
        e.name = c.name;
        p.columns.push_back(c);
        p.exprs.push_back(std::move(e));
      }
      continue;
    }
    auto type = check_expression(item.expr, source.columns, "SELECT");
    if (!type) return statement_error(type.error().message, st);
    if (!*type)
      return statement_error(
          "Can't infer a type of null. Please explicitly cast it to a required type, "
          "e.g. CAST(null AS VARCHAR).",
          st);
    Column c;
    c.type = **type;
    if (!item.alias.empty())
      c.name = item.alias;
    else if (item.expr.kind == Expr::Kind::Column)
      c.name = item.expr.name;
    else
      c.name = "KSQL_COL_" + std::to_string(generated++);
    if (item.expr.kind == Expr::Kind::Column) {
      int i = find_column(source.columns, item.expr.name);
      c.key = i >= 0 && source.columns[static_cast<std::size_t>(i)].key;
    }
    for (auto& existing : p.columns)
      if (existing.name == c.name)
        return statement_error(
            "Duplicate value columns found in schema: `" + c.name + "` " + c.type.to_string(), st);
    p.columns.push_back(std::move(c));
    p.exprs.push_back(item.expr);
  }
  if (select.where) {
    auto type = check_expression(*select.where, source.columns, "WHERE");
    if (!type) return statement_error(type.error().message, st);
    if (*type && (*type)->base != BaseType::Boolean)
      return statement_error("Type error in WHERE expression: Should evaluate to boolean but is " +
                                 select.where->text() + " (" + (*type)->to_string() + ") instead.",
                             st);
  }
  return p;
}

} // namespace konform::serve::ksql
