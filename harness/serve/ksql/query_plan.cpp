// Planning a SELECT of /query: the checks ksqlDB makes before it runs a pull or push query (pull
// queries reject GROUP BY, WINDOW, JOIN and ROWPARTITION/ROWOFFSET; only materialised tables can
// be pulled from), and the plan both kinds run from.
#include "serve/ksql/database_state.h"
#include "serve/ksql/projection.h"
#include "serve/ksql/statement_error.h"

#include <string_view>

namespace konform::serve::ksql {

std::string QueryPlan::header_schema() const {
  std::string s;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) s += ", ";
    s += "`" + columns[i].name + "` " + columns[i].type.to_string();
    if (columns[i].key) s += " KEY";
  }
  return s;
}

Result<QueryPlan, StatementError> Database::plan_query(const Statement& st,
                                                       const RequestContext& context) {
  std::lock_guard lock(mu_);
  const Select& sel = st.select;
  const Source* source = state_->catalog.find(sel.from);
  if (!source) return statement_error(sel.from + " does not exist.", st);
  const char* more = " See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you "
                     "intended to issue a push query.";
  if (!sel.emit_changes) {
    if (sel.group_by)
      return statement_error(std::string("Pull queries don't support GROUP BY clauses.") + more,
                             st);
    if (sel.window)
      return statement_error(std::string("Pull queries don't support WINDOW clauses.") + more, st);
    if (sel.join)
      return statement_error(std::string("Pull queries don't support JOIN clauses.") + more, st);
    if (sel.limit && *sel.limit < 0)
      return statement_error(
          "Pull queries don't support negative integers in the LIMIT clause. See "
          "https://cnfl.io/queries for more info.",
          st);
    for (const char* clause : {"SELECT", "WHERE"}) {
      std::string found;
      auto collect = [&](const Expr& e, auto& self) -> void {
        if (e.kind == Expr::Kind::Column && (e.name == "ROWPARTITION" || e.name == "ROWOFFSET") &&
            found.find("`" + e.name + "`") == std::string::npos)
          found += (found.empty() ? "`" : ", `") + e.name + "`";
        for (auto& a : e.args)
          self(a, self);
      };
      if (std::string_view(clause) == "SELECT") {
        for (auto& item : sel.items)
          if (!item.star) collect(item.expr, collect);
      } else if (sel.where) {
        collect(*sel.where, collect);
      }
      if (!found.empty())
        return statement_error(std::string("Pull queries don't support the following columns in ") +
                                   clause + " clauses: " + found,
                               st);
    }
  } else if (sel.group_by || sel.window || sel.having || sel.join || sel.partition_by) {
    return unsupported("GROUP BY, WINDOW, HAVING, JOIN and PARTITION BY in push queries", st);
  }
  auto compiled = compile_projection(st, *source);
  if (!compiled) return compiled.error();
  const Projection& projection = *compiled;
  if (!sel.emit_changes && source->table && !source->materialized)
    return statement_error("The `" + source->name +
                               "` table isn't queryable. To derive a queryable "
                               "table, you can do 'CREATE TABLE QUERYABLE_" +
                               source->name + " AS SELECT * FROM " + source->name +
                               "'. See https://cnfl.io/queries for more info.",
                           st);
  QueryPlan plan;
  plan.source = source->name;
  plan.text = st.text;
  plan.push = sel.emit_changes;
  plan.source_is_table = source->table;
  plan.columns = projection.columns;
  bool mark_keys = !plan.push && source->table; // only table pulls print KEY in the header
  for (auto& c : plan.columns)
    c.key = c.key && mark_keys;
  plan.projections = projection.exprs;
  plan.where = sel.where;
  plan.limit = sel.limit;
  plan.earliest = context.earliest();
  if (plan.push)
    plan.id = "transient_" + source->name + "_" +
              std::to_string(state_->random() >> 1); // a positive Java long, like ksqlDB's
  else
    plan.id = "query_" + std::to_string(now_millis());
  return plan;
}

} // namespace konform::serve::ksql
