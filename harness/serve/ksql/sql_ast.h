#pragma once
// The statements and expressions of the ksqlDB subset konform serves (see README, serve-ksql).
#include "serve/ksql/sql_types.h"
#include "serve/ksql/value.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace konform::serve::ksql {

struct Expr {
  enum class Kind {
    Literal,
    Column,
    Binary,
    Not,
    IsNull,
    IsNotNull,
    Array,
    Map,
    Struct,
    Cast,
    Negate,
    Call, // a function call: name = the function, args = its arguments (`*` = no args)
  };
  Kind kind = Kind::Literal;
  Value literal;                 // Literal
  std::string name;              // Column: the (case-normalised) name; Binary: the operator
  std::string qualifier;         // Column: "S" in S.ID
  std::vector<Expr> args;        // operands, elements; Map: key, value, key, value...
  std::vector<std::string> keys; // Struct field names
  SqlType cast_type;             // Cast
  bool from_between = false;     // a comparison written as BETWEEN (its errors read differently)
  // Levels from this node down to its deepest leaf (a leaf is 1). The parser keeps it below
  // max_expression_height, so everything that walks the tree recursively (evaluation, text(),
  // the destructor) has a bounded stack.
  int height = 1;

  // The expression as ksqlDB's formatter prints it in messages: "(ID = '10')".
  std::string text() const;
};

struct ColumnDef {
  std::string name;
  SqlType type;
  bool key = false;     // KEY (stream) or PRIMARY KEY (table)
  bool primary = false; // written PRIMARY KEY
};

struct SelectItem {
  bool star = false;
  Expr expr;
  std::string alias; // empty: derived from the expression
};

struct Select {
  std::vector<SelectItem> items;
  std::string from;
  std::string from_alias;
  std::optional<Expr> where;
  bool emit_changes = false;
  std::optional<std::int64_t> limit;
  // Clauses the database recognises in order to refuse them with the server's message.
  bool group_by = false, window = false, join = false, partition_by = false, having = false;
};

struct Statement {
  enum class Type {
    CreateSource,   // CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] x (cols) WITH (...)
    CreateAsSelect, // CREATE STREAM|TABLE x [WITH (...)] AS SELECT ...
    Drop,
    ListStreams,
    ListTables,
    ListQueries,
    ListProperties,
    ListTopics,
    ListVariables,
    Describe,
    InsertValues,
    Set,
    Unset,
    Define,
    Undefine,
    Select,
    Terminate,
  };
  Type type = Type::ListStreams;
  std::string text; // as sent, from its first token through the ';'

  bool table = false; // STREAM or TABLE (create, drop, list)
  bool or_replace = false, if_not_exists = false, source = false;
  std::string name; // the source (create, drop, describe, insert), the property, the variable
  std::vector<ColumnDef> columns;
  std::vector<std::pair<std::string, Value>> with; // upper-case property names, as given
  Select select;
  bool if_exists = false, delete_topic = false;
  bool extended = false;
  std::vector<std::string> insert_columns;
  std::vector<Expr> insert_values;
  std::string value; // SET/DEFINE value
  std::string query_id;
  bool all = false; // TERMINATE ALL
};

struct SyntaxError {
  int line = 1, column = 1; // 1-based, as ksqlDB prints them
  std::string detail;       // what follows "Syntax Error\n" (may be empty)
  std::string statement;    // the text of the statement being parsed, when known
  std::string message() const;
};

} // namespace konform::serve::ksql
