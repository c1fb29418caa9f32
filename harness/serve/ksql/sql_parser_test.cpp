#include "serve/ksql/sql_parser.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

std::vector<Statement> parse_ok(std::string_view text) {
  auto r = parse_statements(text);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    return {};
  }
  return *r;
}

SyntaxError parse_error(std::string_view text) {
  auto r = parse_statements(text);
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r ? SyntaxError{} : r.error();
}

TEST(KsqlParser, SplitsStatementsAndKeepsEachTextThroughItsSemicolon) {
  auto st = parse_ok("SHOW STREAMS;\n  list tables ;DESCRIBE s1 EXTENDED;");
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].text, "SHOW STREAMS;");
  EXPECT_EQ(st[1].text, "list tables ;");
  EXPECT_EQ(st[1].type, Statement::Type::ListTables);
  EXPECT_EQ(st[2].type, Statement::Type::Describe);
  EXPECT_EQ(st[2].name, "S1"); // unquoted identifiers are upper-cased
  EXPECT_TRUE(st[2].extended);
}

TEST(KsqlParser, MissingSemicolonIsTheServersSyntaxError) {
  auto e = parse_error("SHOW STREAMS");
  EXPECT_EQ(e.message(), "line 1:13: Syntax Error\nmissing ';' at ''");
}

TEST(KsqlParser, ErrorPositionIsLineAndOneBasedColumn) {
  // ORDER is not reserved: it reads as the source's alias, so the error sits on BY (1:24).
  auto e = parse_error("SELECT * FROM S1 ORDER BY MYKEY DESC;");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 24);
  auto second_line = parse_error("SHOW STREAMS;\nFOO BAR;");
  EXPECT_EQ(second_line.line, 2);
  EXPECT_EQ(second_line.column, 1);
}

TEST(KsqlParser, CreateStreamWithColumnsKeysAndProperties) {
  auto st = parse_ok("CREATE STREAM IF NOT EXISTS `test` (`@key` STRING KEY, id INT, "
                     "a ARRAY<MAP<VARCHAR, DECIMAL(4, 2)>>, s STRUCT<f0 INT, `b` BIGINT>) "
                     "WITH (kafka_topic='t', value_format='JSON', partitions=3);");
  ASSERT_EQ(st.size(), 1u);
  auto& c = st[0];
  EXPECT_EQ(c.type, Statement::Type::CreateSource);
  EXPECT_TRUE(c.if_not_exists);
  EXPECT_EQ(c.name, "test"); // quoted identifiers keep their case
  ASSERT_EQ(c.columns.size(), 4u);
  EXPECT_EQ(c.columns[0].name, "@key");
  EXPECT_TRUE(c.columns[0].key);
  EXPECT_EQ(c.columns[1].name, "ID");
  EXPECT_EQ(c.columns[1].type.to_string(), "INTEGER");
  EXPECT_EQ(c.columns[2].type.to_string(), "ARRAY<MAP<STRING, DECIMAL(4, 2)>>");
  EXPECT_EQ(c.columns[3].type.to_string(), "STRUCT<`F0` INTEGER, `b` BIGINT>");
  ASSERT_EQ(c.with.size(), 3u);
  EXPECT_EQ(c.with[0].first, "KAFKA_TOPIC");
  EXPECT_EQ(c.with[0].second.text, "t");
  EXPECT_EQ(c.with[2].second.integer, 3);
}

TEST(KsqlParser, PushQueryClauses) {
  auto st = parse_ok("select id, k as key2 from s where id >= 10 and k <> 'x' emit changes "
                     "limit 5;");
  ASSERT_EQ(st.size(), 1u);
  auto& s = st[0].select;
  EXPECT_EQ(st[0].type, Statement::Type::Select);
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[1].alias, "KEY2");
  EXPECT_EQ(s.from, "S");
  ASSERT_TRUE(s.where.has_value());
  EXPECT_EQ(s.where->text(), "((ID >= 10) AND (K <> 'x'))");
  EXPECT_TRUE(s.emit_changes);
  EXPECT_EQ(s.limit, 5);
}

TEST(KsqlParser, InsertValuesWithExpressions) {
  auto st = parse_ok("INSERT INTO s (ROWTIME, k, a, m, st) VALUES (1234, 'it''s', "
                     "ARRAY[1, 1 + 1], MAP('a' := 0), STRUCT(f := -2.5));");
  ASSERT_EQ(st.size(), 1u);
  auto& i = st[0];
  EXPECT_EQ(i.type, Statement::Type::InsertValues);
  ASSERT_EQ(i.insert_columns.size(), 5u);
  ASSERT_EQ(i.insert_values.size(), 5u);
  EXPECT_EQ(i.insert_values[1].literal.text, "it's");
  EXPECT_EQ(i.insert_values[2].text(), "ARRAY[1, (1 + 1)]");
  EXPECT_EQ(i.insert_values[4].args[0].literal.text, "-2.5");
}

TEST(KsqlParser, SetTerminateDropAndAsSelect) {
  auto st = parse_ok("SET 'auto.offset.reset'='earliest'; TERMINATE CSAS_S2_3; "
                     "DROP TABLE IF EXISTS t DELETE TOPIC; "
                     "CREATE STREAM s2 WITH (kafka_topic='o') AS SELECT * FROM s1 EMIT CHANGES;");
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[0].name, "auto.offset.reset");
  EXPECT_EQ(st[0].value, "earliest");
  EXPECT_EQ(st[1].query_id, "CSAS_S2_3");
  EXPECT_TRUE(st[2].table && st[2].if_exists && st[2].delete_topic);
  EXPECT_EQ(st[3].type, Statement::Type::CreateAsSelect);
  EXPECT_TRUE(st[3].select.items[0].star);
  EXPECT_EQ(st[3].select.from, "S1");
}

TEST(KsqlParser, CommentsAreWhitespace) {
  auto st = parse_ok("-- a comment\nSHOW /* inline */ TOPICS;");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].type, Statement::Type::ListTopics);
}

TEST(KsqlParser, UnknownStatementIsASyntaxErrorNotACrash) {
  auto e = parse_error("slllecct * from foo emit changes;");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 1);
  EXPECT_NE(e.message().find("Syntax Error"), std::string::npos);
  auto unterminated = parse_error("SELECT 'abc FROM s;");
  EXPECT_NE(unterminated.message().find("token recognition error"), std::string::npos);
}

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

std::vector<std::pair<std::string, std::string>> deep_statements(std::size_t deep) {
  return {
      {"parentheses", "SELECT " + repeat("(", deep) + "1" + repeat(")", deep) + " FROM s;"},
      {"ARRAY[", "INSERT INTO s VALUES (" + repeat("ARRAY[", deep) + repeat("]", deep) + ");"},
      {"NOT", "SELECT * FROM s WHERE " + repeat("NOT ", deep) + "TRUE;"},
      {"unary minus", "SELECT " + repeat("- ", deep) + "x FROM s;"},
      {"1+1+...", "SELECT 1" + repeat("+1", deep) + " FROM s;"},
      {"OR chain", "SELECT * FROM s WHERE a" + repeat(" OR a", deep) + ";"},
      {"IN list of deep values", "SELECT * FROM s WHERE a IN (1, " + repeat("- ", deep) + "a);"},
      {"function calls", "SELECT " + repeat("abs(", deep) + "1" + repeat(")", deep) + " FROM s;"},
      {"STRUCT<", "CREATE STREAM s (c " + repeat("STRUCT<f ", deep) + "INT" + repeat(">", deep) +
                      ") WITH (kafka_topic='t', value_format='JSON');"},
      {"ARRAY<", "CREATE STREAM s (c " + repeat("ARRAY<", deep) + "INT" + repeat(">", deep) +
                     ") WITH (kafka_topic='t', value_format='JSON');"},
  };
}

bool names_nesting_limit(const SyntaxError& e) {
  return e.message().find("nesting is deeper than " + std::to_string(max_expression_height) +
                          " levels") != std::string::npos;
}
bool names_token_limit(const SyntaxError& e) {
  return e.message().find("more than " + std::to_string(max_request_tokens) + " tokens") !=
         std::string::npos;
}

// Each of these overflowed the stack (SIGSEGV) before the parser had a nesting limit: the
// recursive descent itself, or the recursive walks over the tall tree a left-deep loop built.
TEST(KsqlParser, NestingBeyondTheLimitIsASyntaxErrorNamingIt) {
  for (const auto& [what, text] : deep_statements(10000)) {
    SCOPED_TRACE(what);
    auto e = parse_error(text);
    EXPECT_EQ(e.line, 1);
    EXPECT_TRUE(names_nesting_limit(e)) << e.message();
  }
  // At 100k levels the statements with several tokens per level pass the token limit first.
  for (const auto& [what, text] : deep_statements(100000)) {
    SCOPED_TRACE(what);
    auto e = parse_error(text);
    EXPECT_TRUE(names_nesting_limit(e) || names_token_limit(e)) << e.message();
  }
}

TEST(KsqlParser, TooManyTokensIsASyntaxErrorNamingTheLimit) {
  auto e = parse_error("SELECT " + repeat("1+", max_request_tokens) + "1 FROM s;");
  EXPECT_NE(e.message().find("more than " + std::to_string(max_request_tokens) + " tokens"),
            std::string::npos)
      << e.message();
}

// Every IN value gets a copy of the left side: a large left side with a long list was
// quadratic (60k array elements IN 60k values: billions of nodes); 100k copied nodes at most.
TEST(KsqlParser, InListCopiesOfALargeLeftSideAreBounded) {
  auto e = parse_error("SELECT * FROM s WHERE ARRAY[1" + repeat(", 1", 20000) + "] IN (1" +
                       repeat(", 1", 20000) + ");");
  EXPECT_NE(e.message().find("the IN list repeats its left side"), std::string::npos)
      << e.message();
}

TEST(KsqlParser, NestingUpToTheLimitParses) {
  const std::size_t ok = max_expression_height - 10;
  auto parens = parse_ok("SELECT " + repeat("(", ok) + "1" + repeat(")", ok) + " FROM s;");
  ASSERT_EQ(parens.size(), 1u);
  auto sum = parse_ok("SELECT 1" + repeat("+1", ok) + " FROM s;");
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0].select.items[0].expr.height, static_cast<int>(ok) + 1);
  // An IN list is a balanced OR of equalities, so a long list is not a tall tree.
  auto in = parse_ok("SELECT * FROM s WHERE a IN (1" + repeat(", 1", 10000) + ");");
  ASSERT_EQ(in.size(), 1u);
  EXPECT_LT(in[0].select.where->height, 25);
  auto small = parse_ok("SELECT * FROM s WHERE a NOT IN (1, 2, 3);");
  EXPECT_EQ(small[0].select.where->text(), "(NOT ((A = 1) OR ((A = 2) OR (A = 3))))");
}

} // namespace
} // namespace konform::serve::ksql
