#include "serve/ksql/expression.h"

#include <cmath>

namespace konform::serve::ksql {

int find_column(const std::vector<Column>& columns, const std::string& name) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  if (name == "ROWTIME") return -2;
  if (name == "ROWPARTITION") return -3;
  if (name == "ROWOFFSET") return -4;
  return -1;
}

namespace {

SqlType simple(BaseType b) {
  SqlType t;
  t.base = b;
  return t;
}

const char* comparison_name(const std::string& op) {
  if (op == "=") return "EQUAL";
  if (op == "<>" || op == "!=") return "NOT_EQUAL";
  if (op == "<") return "LESS_THAN";
  if (op == "<=") return "LESS_THAN_OR_EQUAL";
  if (op == ">") return "GREATER_THAN";
  return "GREATER_THAN_OR_EQUAL";
}

bool is_comparison(const std::string& op) {
  return op == "=" || op == "<>" || op == "!=" || op == "<" || op == "<=" || op == ">" ||
         op == ">=";
}

std::optional<SqlType> literal_type(const Value& v) {
  switch (v.kind) {
  case Value::Kind::Null:
    return std::nullopt;
  case Value::Kind::Boolean:
    return simple(BaseType::Boolean);
  case Value::Kind::Int:
    return simple(v.integer >= INT32_MIN && v.integer <= INT32_MAX ? BaseType::Integer
                                                                   : BaseType::Bigint);
  case Value::Kind::Double:
    return simple(BaseType::Double);
  case Value::Kind::Decimal: {
    SqlType t = simple(BaseType::Decimal);
    auto dot = v.text.find('.');
    int digits = 0;
    for (char c : v.text)
      digits += c >= '0' && c <= '9';
    t.scale = dot == std::string::npos ? 0 : static_cast<int>(v.text.size() - dot - 1);
    t.precision = std::max(digits, t.scale);
    return t;
  }
  default:
    return simple(BaseType::String);
  }
}

TypeCheck typed(std::optional<SqlType> type) {
  return type;
}
TypeCheck ill_typed(std::string message) {
  return make_error(std::move(message));
}

bool comparable(const SqlType& a, const SqlType& b) {
  if (a.is_numeric() && b.is_numeric()) return true;
  return a.base == b.base;
}

} // namespace

TypeCheck check_expression(const Expr& e, const std::vector<Column>& columns,
                           const std::string& clause) {
  switch (e.kind) {
  case Expr::Kind::Literal:
    return typed(literal_type(e.literal));
  case Expr::Kind::Column: {
    int i = find_column(columns, e.name);
    if (i == -1) {
      if (clause == "WHERE")
        return ill_typed("Error in WHERE expression: Unknown column " + e.name + ".");
      return ill_typed(clause + " column '" + e.name + "' cannot be resolved.");
    }
    if (i == -2 || i == -4) return typed(simple(BaseType::Bigint));
    if (i == -3) return typed(simple(BaseType::Integer));
    return typed(columns[static_cast<std::size_t>(i)].type);
  }
  case Expr::Kind::Binary: {
    auto a = check_expression(e.args[0], columns, clause);
    if (!a) return a;
    auto b = check_expression(e.args[1], columns, clause);
    if (!b) return b;
    const std::optional<SqlType>&ta = *a, &tb = *b; // nullopt: the NULL literal
    if (e.name == "AND" || e.name == "OR") return typed(simple(BaseType::Boolean));
    if (is_comparison(e.name)) {
      if (!ta || !tb) {
        std::string left = ta ? ta->to_string() : "NULL";
        std::string right = tb ? tb->to_string() : "NULL";
        return ill_typed("Error in " + clause + " expression: Comparison with NULL not " +
                         "supported: " + left + " " + (e.name == "!=" ? "<>" : e.name) + " " +
                         right + "\nUse 'IS NULL' or 'IS NOT NULL' instead." +
                         "\nStatement: " + e.text());
      }
      if (!comparable(*ta, *tb) && e.from_between)
        return ill_typed("Invalid expression: Cannot compare " + e.args[0].text() + " (" +
                         ta->to_string() + ") to " + e.args[1].text() + " (" + tb->to_string() +
                         ") with " + comparison_name(e.name));
      if (!comparable(*ta, *tb))
        return ill_typed("Error in " + clause + " expression: Cannot compare " + e.args[0].text() +
                         " (" + ta->to_string() + ") to " + e.args[1].text() + " (" +
                         tb->to_string() + ") with " + comparison_name(e.name) +
                         ".\nStatement: " + e.text());
      return typed(simple(BaseType::Boolean));
    }
    if (e.name == "||") return ill_typed("The || operator is not supported by konform serve");
    // Arithmetic.
    if (!ta || !tb) {
      std::string left = ta ? ta->to_string() : "null";
      std::string right = tb ? tb->to_string() : "null";
      return ill_typed("Error processing expression: " + e.text() + ". Arithmetic on types " +
                       left + " and " + right + " are not supported.");
    }
    if (ta->base == BaseType::String && tb->base == BaseType::String && e.name == "+")
      return typed(simple(BaseType::String));
    if (!ta->is_numeric() || !tb->is_numeric())
      return ill_typed("Error processing expression: " + e.text() + ". Arithmetic on types " +
                       ta->to_string() + " and " + tb->to_string() + " are not supported.");
    if (ta->base == BaseType::Decimal || tb->base == BaseType::Decimal)
      return ill_typed("DECIMAL arithmetic is not supported by konform serve: " + e.text());
    if (ta->base == BaseType::Double || tb->base == BaseType::Double)
      return typed(simple(BaseType::Double));
    if (ta->base == BaseType::Bigint || tb->base == BaseType::Bigint)
      return typed(simple(BaseType::Bigint));
    return typed(simple(BaseType::Integer));
  }
  case Expr::Kind::Not: {
    auto a = check_expression(e.args[0], columns, clause);
    if (!a) return a;
    return typed(simple(BaseType::Boolean));
  }
  case Expr::Kind::IsNull:
  case Expr::Kind::IsNotNull: {
    auto a = check_expression(e.args[0], columns, clause);
    if (!a) return a;
    return typed(simple(BaseType::Boolean));
  }
  case Expr::Kind::Negate:
    return check_expression(e.args[0], columns, clause);
  case Expr::Kind::Cast:
    return typed(e.cast_type);
  case Expr::Kind::Array: {
    SqlType t = simple(BaseType::Array);
    std::optional<SqlType> element;
    for (auto& item : e.args) {
      auto c = check_expression(item, columns, clause);
      if (!c) return c;
      if (*c && !element) element = *c;
    }
    t.params.push_back(element.value_or(simple(BaseType::String)));
    return typed(t);
  }
  case Expr::Kind::Map: {
    SqlType t = simple(BaseType::Map);
    std::optional<SqlType> key, value;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      auto c = check_expression(e.args[i], columns, clause);
      if (!c) return c;
      auto& slot = i % 2 == 0 ? key : value;
      if (*c && !slot) slot = *c;
    }
    t.params.push_back(key.value_or(simple(BaseType::String)));
    t.params.push_back(value.value_or(simple(BaseType::String)));
    return typed(t);
  }
  case Expr::Kind::Struct: {
    SqlType t = simple(BaseType::Struct);
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      auto c = check_expression(e.args[i], columns, clause);
      if (!c) return c;
      t.field_names.push_back(e.keys[i]);
      t.params.push_back(c->value_or(simple(BaseType::String)));
    }
    return typed(t);
  }
  case Expr::Kind::Call:
    return ill_typed("Function " + e.name +
                     " is not supported by konform serve (its subset has no functions "
                     "or aggregates)");
  }
  return ill_typed("unsupported expression");
}

bool references_columns(const Expr& e) {
  if (e.kind == Expr::Kind::Column) return true;
  for (auto& a : e.args)
    if (references_columns(a)) return true;
  return false;
}

namespace {

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return {};
  if (op == "+" && a.kind == Value::Kind::String && b.kind == Value::Kind::String)
    return Value::of_string(a.text + b.text);
  if (a.kind == Value::Kind::Int && b.kind == Value::Kind::Int) {
    std::int64_t x = a.integer, y = b.integer;
    if (op == "+") return Value::of_int(x + y);
    if (op == "-") return Value::of_int(x - y);
    if (op == "*") return Value::of_int(x * y);
    if (y == 0) return {}; // ksqlDB yields null (and logs) on division by zero
    if (op == "/") return Value::of_int(x / y);
    return Value::of_int(x % y);
  }
  double x = a.as_double(), y = b.as_double();
  if (op == "+") return Value::of_double(x + y);
  if (op == "-") return Value::of_double(x - y);
  if (op == "*") return Value::of_double(x * y);
  if (op == "/") return Value::of_double(x / y);
  return Value::of_double(std::fmod(x, y));
}

Value evaluate_with(const Expr& e, const RowView* row) {
  switch (e.kind) {
  case Expr::Kind::Literal:
    return e.literal;
  case Expr::Kind::Column: {
    if (!row) return {};
    int i = find_column(*row->columns, e.name);
    if (i == -2) return Value::of_int(row->rowtime);
    if (i == -3) return Value::of_int(0);
    if (i == -4) return Value::of_int(row->offset);
    if (i < 0) return {};
    return (*row->values)[static_cast<std::size_t>(i)];
  }
  case Expr::Kind::Binary: {
    Value a = evaluate_with(e.args[0], row);
    if (e.name == "AND") {
      if (a.kind == Value::Kind::Boolean && !a.boolean) return Value::of_bool(false);
      Value b = evaluate_with(e.args[1], row);
      if (a.is_null() || b.is_null()) return {};
      return Value::of_bool(a.boolean && b.boolean);
    }
    if (e.name == "OR") {
      if (a.kind == Value::Kind::Boolean && a.boolean) return Value::of_bool(true);
      Value b = evaluate_with(e.args[1], row);
      if (b.kind == Value::Kind::Boolean && b.boolean) return Value::of_bool(true);
      if (a.is_null() || b.is_null()) return {};
      return Value::of_bool(false);
    }
    Value b = evaluate_with(e.args[1], row);
    if (is_comparison(e.name)) {
      auto c = compare(a, b);
      if (!c) return {};
      const auto& op = e.name;
      bool r = op == "="                    ? *c == 0
               : (op == "<>" || op == "!=") ? *c != 0
               : op == "<"                  ? *c < 0
               : op == "<="                 ? *c <= 0
               : op == ">"                  ? *c > 0
                                            : *c >= 0;
      return Value::of_bool(r);
    }
    return arithmetic(e.name, a, b);
  }
  case Expr::Kind::Not: {
    Value a = evaluate_with(e.args[0], row);
    if (a.kind != Value::Kind::Boolean) return {};
    return Value::of_bool(!a.boolean);
  }
  case Expr::Kind::IsNull:
    return Value::of_bool(evaluate_with(e.args[0], row).is_null());
  case Expr::Kind::IsNotNull:
    return Value::of_bool(!evaluate_with(e.args[0], row).is_null());
  case Expr::Kind::Negate: {
    Value a = evaluate_with(e.args[0], row);
    if (a.kind == Value::Kind::Int) return Value::of_int(-a.integer);
    if (a.kind == Value::Kind::Double) return Value::of_double(-a.real);
    if (a.kind == Value::Kind::Decimal)
      return Value::of_decimal(a.text[0] == '-' ? a.text.substr(1) : "-" + a.text);
    return {};
  }
  case Expr::Kind::Cast: {
    Value a = evaluate_with(e.args[0], row);
    auto c = coerce(a, e.cast_type);
    return c ? *c : Value{};
  }
  case Expr::Kind::Array: {
    Value v;
    v.kind = Value::Kind::Array;
    for (auto& item : e.args)
      v.items.push_back(evaluate_with(item, row));
    return v;
  }
  case Expr::Kind::Map: {
    Value v;
    v.kind = Value::Kind::Map;
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
      Value k = evaluate_with(e.args[i], row);
      v.names.push_back(k.kind == Value::Kind::String ? k.text : sql_text(k));
      v.items.push_back(evaluate_with(e.args[i + 1], row));
    }
    return v;
  }
  case Expr::Kind::Struct: {
    Value v;
    v.kind = Value::Kind::Struct;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      v.names.push_back(e.keys[i]);
      v.items.push_back(evaluate_with(e.args[i], row));
    }
    return v;
  }
  case Expr::Kind::Call:
    return {};
  }
  return {};
}

} // namespace

Value evaluate(const Expr& e, const RowView& row) {
  return evaluate_with(e, &row);
}
Value evaluate_constant(const Expr& e) {
  return evaluate_with(e, nullptr);
}

} // namespace konform::serve::ksql
