#include "serve/ksql/sql_parser.h"

#include "core/text.h"

#include <cctype>
#include <charconv>

namespace konform::serve::ksql {

std::string SyntaxError::message() const {
  std::string m = "line " + std::to_string(line) + ":" + std::to_string(column) + ": Syntax Error";
  if (!detail.empty()) m += "\n" + detail;
  return m;
}

namespace {

struct Token {
  enum class Kind { Word, Quoted, String, Number, Symbol, End };
  Kind kind = Kind::End;
  std::string text; // Word: upper-cased; Quoted/String: unescaped content; else as written
  std::string raw;  // as written
  std::size_t offset = 0;
  int line = 1, column = 1;
};

// Splits the text into tokens; `--` and `/* */` comments are skipped like whitespace.
Result<std::vector<Token>, SyntaxError> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  int line = 1;
  std::size_t line_start = 0;
  auto here = [&](std::size_t at) {
    Token t;
    t.offset = at;
    t.line = line;
    t.column = static_cast<int>(at - line_start) + 1;
    return t;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n')
        ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      auto end = s.find("*/", i + 2);
      std::size_t stop = end == std::string_view::npos ? s.size() : end + 2;
      for (; i < stop; ++i)
        if (s[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
      continue;
    }
    Token t = here(i);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '$') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' ||
                              s[j] == '@' || s[j] == '$'))
        ++j;
      t.kind = Token::Kind::Word;
      t.raw = std::string(s.substr(i, j - i));
      for (char ch : t.raw)
        t.text += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      i = j;
    } else if (c == '`' || c == '\'' || c == '"') {
      // `quoted identifier`, 'string' ('' escapes a quote); "..." is a quoted identifier too.
      char q = c;
      std::size_t j = i + 1;
      std::string content;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == q) {
          if (j + 1 < s.size() && s[j + 1] == q) {
            content += q;
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        if (s[j] == '\n') {
          ++line;
          line_start = j + 1;
        }
        content += s[j++];
      }
      if (!closed)
        return SyntaxError{t.line, t.column,
                           "token recognition error at: '" + std::string(s.substr(i, 20)) + "'",
                           ""};
      t.kind = q == '\'' ? Token::Kind::String : Token::Kind::Quoted;
      t.text = content;
      t.raw = std::string(s.substr(i, j + 1 - i));
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      std::size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.'))
        ++j;
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          j = k;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
            ++j;
        }
      }
      t.kind = Token::Kind::Number;
      t.raw = t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      static const char* two[] = {"<>", "!=", "<=", ">=", ":=", "->", "||"};
      t.kind = Token::Kind::Symbol;
      t.raw = t.text = std::string(1, c);
      for (auto* op : two)
        if (s.substr(i, 2) == op) t.raw = t.text = op;
      if (std::string_view("(),;.*=<>!+-/%[]:|").find(c) == std::string_view::npos)
        return SyntaxError{t.line, t.column,
                           "token recognition error at: '" + std::string(1, c) + "'", ""};
      i += t.text.size();
    }
    out.push_back(std::move(t));
    if (out.size() > max_request_tokens)
      return SyntaxError{out.back().line, out.back().column,
                         "the request has more than " + std::to_string(max_request_tokens) +
                             " tokens (the limit of konform serve): send fewer or shorter "
                             "statements",
                         ""};
  }
  Token end = here(i);
  end.kind = Token::Kind::End;
  out.push_back(end);
  return out;
}

// Words that end a FROM source (so they are never taken as its alias).
bool is_clause_word(const std::string& w) {
  static const char* words[] = {"WHERE", "EMIT",   "LIMIT", "GROUP", "WINDOW",    "JOIN",
                                "LEFT",  "INNER",  "FULL",  "RIGHT", "PARTITION", "HAVING",
                                "ON",    "WITHIN", "AS",    "FROM"};
  for (auto* k : words)
    if (w == k) return true;
  return false;
}

// The recursive descent's early exit, and the one exception in serve/: the first syntax error
// ends the whole parse (ksqlDB reports it alone), from any depth of about 40 rules and 60 places
// that can fail. Returning a Result from every rule would put a check after each call of a rule
// and bury the grammar under them. It never leaves this file: parse_statements catches it and
// returns the SyntaxError as its Result.
struct ParseAbort {
  SyntaxError error;
};

class Parser {
public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  std::vector<Statement> statements() {
    std::vector<Statement> out;
    while (peek().kind != Token::Kind::End) {
      if (is_symbol(";")) { // empty statement
        ++pos_;
        continue;
      }
      std::size_t start = peek().offset;
      Statement st = statement();
      // ksqlDB prints a detail for a missing ';' but none for extraneous input before it
      // ("line 1:24: Syntax Error" for `... ORDER BY x;`, RQTT pull-queries-against-streams).
      if (!is_symbol(";")) fail_here(peek().kind == Token::Kind::End ? "missing ';' at ''" : "");
      std::size_t end = peek().offset + 1;
      ++pos_;
      st.text = std::string(text_.substr(start, end - start));
      out.push_back(std::move(st));
    }
    return out;
  }

private:
  // --- token helpers ------------------------------------------------------------------------
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool is_word(const char* w, std::size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Word && peek(ahead).text == w;
  }
  bool is_symbol(const char* s) const {
    return peek().kind == Token::Kind::Symbol && peek().text == s;
  }
  bool accept_word(const char* w) {
    if (!is_word(w)) return false;
    ++pos_;
    return true;
  }
  bool accept_symbol(const char* s) {
    if (!is_symbol(s)) return false;
    ++pos_;
    return true;
  }
  [[noreturn]] void fail_here(const std::string& detail) const {
    throw ParseAbort{SyntaxError{peek().line, peek().column, detail, ""}};
  }
  [[noreturn]] void too_deep() const {
    fail_here("expression nesting is deeper than " + std::to_string(max_expression_height) +
              " levels (the limit of konform serve): split the expression or nest it less");
  }

  // Counts one level of recursion for the life of a recursive rule (expression, NOT, unary
  // minus, type): deeper input fails before the parser's own stack runs out.
  class Nest {
  public:
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > max_expression_height) p_.too_deep();
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

  private:
    Parser& p_;
  };

  // Records a finished node's height; a tree taller than the limit fails here, which also
  // bounds the left-deep chains the loops below build without recursing.
  Expr sealed(Expr e) const {
    int below = 0;
    for (const auto& a : e.args)
      below = std::max(below, a.height);
    e.height = below + 1;
    if (e.height > max_expression_height) too_deep();
    return e;
  }

  [[noreturn]] void mismatched(const std::string& expecting) const {
    std::string got = peek().kind == Token::Kind::End ? "<EOF>" : peek().raw;
    fail_here("mismatched input '" + got + "' expecting " + expecting);
  }
  void expect_word(const char* w) {
    if (!accept_word(w)) mismatched(std::string("'") + w + "'");
  }
  void expect_symbol(const char* s) {
    if (!accept_symbol(s)) mismatched(std::string("'") + s + "'");
  }

  // An identifier: unquoted ones are upper-cased, `quoted` ones kept as written.
  std::string identifier() {
    const Token& t = peek();
    if (t.kind == Token::Kind::Word || t.kind == Token::Kind::Quoted) {
      ++pos_;
      return t.text;
    }
    mismatched("an identifier");
  }

  // --- statements ---------------------------------------------------------------------------
  Statement statement() {
    Statement st;
    if (accept_word("CREATE")) return create(st);
    if (accept_word("DROP")) return drop(st);
    if (is_word("LIST") || is_word("SHOW")) {
      ++pos_;
      return list(st);
    }
    if (accept_word("DESCRIBE")) return describe(st);
    if (accept_word("INSERT")) return insert(st);
    if (accept_word("SET")) {
      st.type = Statement::Type::Set;
      st.name = string_literal();
      expect_symbol("=");
      st.value = string_literal();
      return st;
    }
    if (accept_word("UNSET")) {
      st.type = Statement::Type::Unset;
      st.name = string_literal();
      return st;
    }
    if (accept_word("DEFINE")) {
      st.type = Statement::Type::Define;
      st.name = identifier();
      expect_symbol("=");
      st.value = string_literal();
      return st;
    }
    if (accept_word("UNDEFINE")) {
      st.type = Statement::Type::Undefine;
      st.name = identifier();
      return st;
    }
    if (accept_word("TERMINATE")) {
      st.type = Statement::Type::Terminate;
      if (accept_word("ALL"))
        st.all = true;
      else {
        st.query_id = peek().raw; // query ids keep their case ("transient_S_12")
        identifier();
      }
      return st;
    }
    if (is_word("SELECT")) {
      ++pos_;
      st.type = Statement::Type::Select;
      st.select = select_body();
      return st;
    }
    std::string got = peek().kind == Token::Kind::End ? "<EOF>" : peek().raw;
    fail_here("mismatched input '" + got +
              "' expecting {'SELECT', 'CREATE', 'DROP', 'INSERT', 'DESCRIBE', 'LIST', 'SHOW', "
              "'TERMINATE', 'SET', 'UNSET', 'DEFINE', 'UNDEFINE'}");
  }

  std::string string_literal() {
    if (peek().kind != Token::Kind::String) mismatched("a string literal");
    return tokens_[pos_++].text;
  }

  Statement& create(Statement& st) {
    if (accept_word("OR")) {
      expect_word("REPLACE");
      st.or_replace = true;
    }
    if (accept_word("SOURCE")) st.source = true;
    if (accept_word("TABLE"))
      st.table = true;
    else if (!accept_word("STREAM"))
      mismatched("{'STREAM', 'TABLE'}");
    if (accept_word("IF")) {
      expect_word("NOT");
      expect_word("EXISTS");
      st.if_not_exists = true;
    }
    st.name = identifier();
    st.type = Statement::Type::CreateSource;
    if (accept_symbol("(")) {
      do
        st.columns.push_back(column_def());
      while (accept_symbol(","));
      expect_symbol(")");
    }
    if (accept_word("WITH")) with_properties(st);
    if (accept_word("AS")) {
      expect_word("SELECT");
      st.type = Statement::Type::CreateAsSelect;
      st.select = select_body();
    }
    return st;
  }

  ColumnDef column_def() {
    ColumnDef c;
    c.name = identifier();
    c.type = type();
    // The database checks KEY against STREAM and PRIMARY KEY against TABLE (its message).
    if (accept_word("PRIMARY")) {
      expect_word("KEY");
      c.key = c.primary = true;
    } else if (accept_word("KEY")) {
      c.key = true;
    }
    return c;
  }

  SqlType type() {
    Nest nest(*this);
    SqlType t;
    std::string w = identifier();
    if (w == "INT" || w == "INTEGER")
      t.base = BaseType::Integer;
    else if (w == "BIGINT")
      t.base = BaseType::Bigint;
    else if (w == "DOUBLE")
      t.base = BaseType::Double;
    else if (w == "BOOLEAN")
      t.base = BaseType::Boolean;
    else if (w == "STRING" || w == "VARCHAR")
      t.base = BaseType::String;
    else if (w == "BYTES")
      t.base = BaseType::Bytes;
    else if (w == "TIMESTAMP")
      t.base = BaseType::Timestamp;
    else if (w == "DATE")
      t.base = BaseType::Date;
    else if (w == "TIME")
      t.base = BaseType::Time;
    else if (w == "DECIMAL") {
      t.base = BaseType::Decimal;
      expect_symbol("(");
      t.precision = int_literal();
      expect_symbol(",");
      t.scale = int_literal();
      expect_symbol(")");
    } else if (w == "ARRAY") {
      t.base = BaseType::Array;
      expect_symbol("<");
      t.params.push_back(type());
      expect_symbol(">");
    } else if (w == "MAP") {
      t.base = BaseType::Map;
      expect_symbol("<");
      t.params.push_back(type());
      expect_symbol(",");
      t.params.push_back(type());
      expect_symbol(">");
    } else if (w == "STRUCT") {
      t.base = BaseType::Struct;
      expect_symbol("<");
      if (!is_symbol(">")) {
        do {
          t.field_names.push_back(identifier());
          t.params.push_back(type());
        } while (accept_symbol(","));
      }
      expect_symbol(">");
    } else {
      --pos_;
      fail_here("Unknown type: " + w);
    }
    return t;
  }

  int int_literal() {
    if (peek().kind != Token::Kind::Number) mismatched("an integer");
    int v = 0;
    auto& s = tokens_[pos_++].text;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }

  void with_properties(Statement& st) {
    expect_symbol("(");
    do {
      std::string name = identifier();
      for (auto& ch : name)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      expect_symbol("=");
      st.with.emplace_back(name, literal_value());
    } while (accept_symbol(","));
    expect_symbol(")");
  }

  Value literal_value() {
    Expr e = primary();
    if (e.kind == Expr::Kind::Negate && !e.args.empty() && e.args[0].kind == Expr::Kind::Literal) {
      Value v = e.args[0].literal;
      if (v.kind == Value::Kind::Int) v.integer = -v.integer;
      return v;
    }
    if (e.kind != Expr::Kind::Literal) mismatched("a literal");
    return e.literal;
  }

  Statement& drop(Statement& st) {
    st.type = Statement::Type::Drop;
    if (accept_word("TABLE"))
      st.table = true;
    else if (!accept_word("STREAM"))
      mismatched("{'STREAM', 'TABLE'}");
    if (accept_word("IF")) {
      expect_word("EXISTS");
      st.if_exists = true;
    }
    st.name = identifier();
    if (accept_word("DELETE")) {
      expect_word("TOPIC");
      st.delete_topic = true;
    }
    return st;
  }

  Statement& list(Statement& st) {
    if (accept_word("STREAMS"))
      st.type = Statement::Type::ListStreams;
    else if (accept_word("TABLES")) {
      st.type = Statement::Type::ListTables;
      st.table = true;
    } else if (accept_word("QUERIES"))
      st.type = Statement::Type::ListQueries;
    else if (accept_word("PROPERTIES"))
      st.type = Statement::Type::ListProperties;
    else if (accept_word("VARIABLES"))
      st.type = Statement::Type::ListVariables;
    else if (accept_word("ALL") || is_word("TOPICS")) {
      expect_word("TOPICS");
      st.type = Statement::Type::ListTopics;
    } else
      mismatched("{'STREAMS', 'TABLES', 'QUERIES', 'PROPERTIES', 'TOPICS', 'VARIABLES'}");
    if (accept_word("EXTENDED")) st.extended = true;
    return st;
  }

  Statement& describe(Statement& st) {
    st.type = Statement::Type::Describe;
    st.name = identifier();
    if (accept_word("EXTENDED")) st.extended = true;
    return st;
  }

  Statement& insert(Statement& st) {
    expect_word("INTO");
    st.type = Statement::Type::InsertValues;
    st.name = identifier();
    if (accept_symbol("(")) {
      do
        st.insert_columns.push_back(identifier());
      while (accept_symbol(","));
      expect_symbol(")");
    }
    if (is_word("SELECT")) // INSERT INTO ... SELECT: parsed, refused by the database
      fail_here("INSERT INTO ... SELECT is not supported by konform serve");
    expect_word("VALUES");
    expect_symbol("(");
    if (!is_symbol(")")) {
      do
        st.insert_values.push_back(expression());
      while (accept_symbol(","));
    }
    expect_symbol(")");
    return st;
  }

  // After SELECT: items FROM source [alias] [WHERE e] [...] [EMIT CHANGES] [LIMIT n].
  Select select_body() {
    Select s;
    do {
      SelectItem item;
      if (accept_symbol("*")) {
        item.star = true;
      } else {
        item.expr = expression();
        if (accept_word("AS"))
          item.alias = identifier();
        else if ((peek().kind == Token::Kind::Word && !is_clause_word(peek().text)) ||
                 peek().kind == Token::Kind::Quoted)
          item.alias = identifier();
      }
      s.items.push_back(std::move(item));
    } while (accept_symbol(","));
    expect_word("FROM");
    s.from = identifier();
    if ((peek().kind == Token::Kind::Word && !is_clause_word(peek().text)) ||
        peek().kind == Token::Kind::Quoted)
      s.from_alias = identifier();
    // Clauses outside the subset are recognised and skipped to the statement's end, so the
    // database can refuse them with the server's own message.
    auto skip_clause = [&] {
      int depth = 0;
      while (peek().kind != Token::Kind::End) {
        if (depth == 0 &&
            (is_symbol(";") || is_word("EMIT") || is_word("LIMIT") || is_word("WHERE") ||
             is_word("GROUP") || is_word("HAVING") || is_word("WINDOW") || is_word("PARTITION")))
          return;
        if (is_symbol("(")) ++depth;
        if (is_symbol(")")) --depth;
        ++pos_;
      }
    };
    while (true) {
      if (is_word("JOIN") || is_word("LEFT") || is_word("INNER") || is_word("FULL") ||
          is_word("RIGHT")) {
        s.join = true;
        ++pos_;
        skip_clause();
      } else if (accept_word("WINDOW")) {
        s.window = true;
        skip_clause();
      } else if (accept_word("WHERE")) {
        s.where = expression();
      } else if (accept_word("GROUP")) {
        expect_word("BY");
        s.group_by = true;
        skip_clause();
      } else if (accept_word("PARTITION")) {
        expect_word("BY");
        s.partition_by = true;
        skip_clause();
      } else if (accept_word("HAVING")) {
        s.having = true;
        skip_clause();
      } else {
        break;
      }
    }
    if (accept_word("EMIT")) {
      if (!accept_word("CHANGES") && !accept_word("FINAL")) mismatched("{'CHANGES', 'FINAL'}");
      s.emit_changes = true;
    }
    if (accept_word("LIMIT")) {
      bool negative = accept_symbol("-");
      if (peek().kind != Token::Kind::Number) mismatched("INTEGER_VALUE");
      std::int64_t v = 0;
      auto& t = tokens_[pos_++].text;
      std::from_chars(t.data(), t.data() + t.size(), v);
      s.limit = negative ? -v : v;
    }
    return s;
  }

  // --- expressions (precedence: OR < AND < NOT < comparison < additive < multiplicative) ---
  Expr expression() {
    Nest nest(*this);
    return or_expr();
  }

  Expr binary(std::string op, Expr a, Expr b) const {
    Expr e;
    e.kind = Expr::Kind::Binary;
    e.name = std::move(op);
    e.args.push_back(std::move(a));
    e.args.push_back(std::move(b));
    return sealed(std::move(e));
  }

  Expr negate(Expr inner) const {
    Expr e;
    e.kind = Expr::Kind::Not;
    e.args.push_back(std::move(inner));
    return sealed(std::move(e));
  }

  Expr or_expr() {
    Expr left = and_expr();
    while (accept_word("OR"))
      left = binary("OR", std::move(left), and_expr());
    return left;
  }
  Expr and_expr() {
    Expr left = not_expr();
    while (accept_word("AND"))
      left = binary("AND", std::move(left), not_expr());
    return left;
  }
  Expr not_expr() {
    if (accept_word("NOT")) {
      Nest nest(*this);
      return negate(not_expr());
    }
    return comparison();
  }
  Expr comparison() {
    Expr left = additive();
    if (accept_word("IS")) {
      Expr e;
      e.kind = accept_word("NOT") ? Expr::Kind::IsNotNull : Expr::Kind::IsNull;
      expect_word("NULL");
      e.args.push_back(std::move(left));
      return sealed(std::move(e));
    }
    // IN and BETWEEN are read as the comparisons they stand for.
    bool negated = is_word("NOT") && (is_word("IN", 1) || is_word("BETWEEN", 1));
    if (negated) ++pos_;
    if (accept_word("IN")) {
      expect_symbol("(");
      // Each value gets its own copy of the left side: bound the copies, so that a large left
      // side with a long list cannot take quadratic time and memory.
      const std::size_t left_nodes = node_count(left);
      std::vector<Expr> equalities;
      do {
        if (left_nodes * (equalities.size() + 1) > max_in_list_nodes)
          fail_here("the IN list repeats its left side more than " +
                    std::to_string(max_in_list_nodes) +
                    " expression nodes (the limit of konform serve): shorten the list or "
                    "simplify the expression before IN");
        equalities.push_back(binary("=", left, additive()));
      } while (accept_symbol(","));
      expect_symbol(")");
      Expr any = balanced_or(equalities, 0, equalities.size());
      return negated ? negate(std::move(any)) : any;
    }
    if (accept_word("BETWEEN")) {
      Expr low = additive();
      expect_word("AND");
      Expr high = additive();
      Expr lower = binary(">=", left, std::move(low));
      Expr upper = binary("<=", left, std::move(high));
      lower.from_between = upper.from_between = true;
      Expr both = binary("AND", std::move(lower), std::move(upper));
      return negated ? negate(std::move(both)) : both;
    }
    static const char* ops[] = {"=", "<>", "!=", "<=", ">=", "<", ">"};
    for (auto* op : ops)
      if (accept_symbol(op)) return binary(op, std::move(left), additive());
    return left;
  }
  static constexpr std::size_t max_in_list_nodes = 100000;

  // Nodes in a tree (its height is bounded, so the recursion is too).
  static std::size_t node_count(const Expr& e) {
    std::size_t n = 1;
    for (const auto& a : e.args)
      n += node_count(a);
    return n;
  }

  // `x IN (a, b, c, ...)` as an OR of equalities, split in halves so that a list of n values is
  // a tree of height log2(n) rather than n (a long IN list is ordinary ksqlDB).
  Expr balanced_or(std::vector<Expr>& items, std::size_t from, std::size_t to) const {
    if (to - from == 1) return std::move(items[from]);
    std::size_t mid = from + (to - from) / 2;
    return binary("OR", balanced_or(items, from, mid), balanced_or(items, mid, to));
  }

  Expr additive() {
    Expr left = multiplicative();
    while (is_symbol("+") || is_symbol("-") || is_symbol("||")) {
      std::string op = tokens_[pos_++].text;
      left = binary(op, std::move(left), multiplicative());
    }
    return left;
  }
  Expr multiplicative() {
    Expr left = unary();
    while (is_symbol("*") || is_symbol("/") || is_symbol("%")) {
      std::string op = tokens_[pos_++].text;
      left = binary(op, std::move(left), unary());
    }
    return left;
  }
  Expr unary() {
    if (accept_symbol("-")) {
      Nest nest(*this);
      Expr inner = unary();
      if (inner.kind == Expr::Kind::Literal && inner.literal.kind == Value::Kind::Int) {
        inner.literal.integer = -inner.literal.integer;
        return inner;
      }
      if (inner.kind == Expr::Kind::Literal && inner.literal.kind == Value::Kind::Double) {
        inner.literal.real = -inner.literal.real;
        return inner;
      }
      if (inner.kind == Expr::Kind::Literal && inner.literal.kind == Value::Kind::Decimal) {
        inner.literal.text = "-" + inner.literal.text;
        return inner;
      }
      Expr e;
      e.kind = Expr::Kind::Negate;
      e.args.push_back(std::move(inner));
      return sealed(std::move(e));
    }
    return primary();
  }

  Expr primary() {
    const Token& t = peek();
    Expr e;
    if (t.kind == Token::Kind::Number) {
      ++pos_;
      e.kind = Expr::Kind::Literal;
      if (t.text.find_first_of("eE") != std::string::npos)
        e.literal = Value::of_double(std::strtod(t.text.c_str(), nullptr));
      else if (t.text.find('.') != std::string::npos)
        e.literal = Value::of_decimal(t.text);
      else {
        std::int64_t v = 0;
        auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (r.ec != std::errc())
          e.literal = Value::of_decimal(t.text);
        else
          e.literal = Value::of_int(v);
      }
      return e;
    }
    if (t.kind == Token::Kind::String) {
      ++pos_;
      e.kind = Expr::Kind::Literal;
      e.literal = Value::of_string(t.text);
      return e;
    }
    if (accept_symbol("(")) {
      e = expression();
      expect_symbol(")");
      return e;
    }
    if (t.kind == Token::Kind::Word) {
      if (t.text == "NULL") {
        ++pos_;
        return e; // Literal null
      }
      if (t.text == "TRUE" || t.text == "FALSE") {
        ++pos_;
        e.literal = Value::of_bool(t.text == "TRUE");
        return e;
      }
      if (t.text == "ARRAY" && peek(1).kind == Token::Kind::Symbol && peek(1).text == "[") {
        pos_ += 2;
        e.kind = Expr::Kind::Array;
        if (!is_symbol("]")) {
          do
            e.args.push_back(expression());
          while (accept_symbol(","));
        }
        expect_symbol("]");
        return sealed(std::move(e));
      }
      if (t.text == "MAP" && peek(1).kind == Token::Kind::Symbol && peek(1).text == "(") {
        pos_ += 2;
        e.kind = Expr::Kind::Map;
        if (!is_symbol(")")) {
          do {
            e.args.push_back(expression());
            expect_symbol(":=");
            e.args.push_back(expression());
          } while (accept_symbol(","));
        }
        expect_symbol(")");
        return sealed(std::move(e));
      }
      if (t.text == "STRUCT" && peek(1).kind == Token::Kind::Symbol && peek(1).text == "(") {
        pos_ += 2;
        e.kind = Expr::Kind::Struct;
        if (!is_symbol(")")) {
          do {
            e.keys.push_back(identifier());
            expect_symbol(":=");
            e.args.push_back(expression());
          } while (accept_symbol(","));
        }
        expect_symbol(")");
        return sealed(std::move(e));
      }
      if (t.text == "CAST" && peek(1).kind == Token::Kind::Symbol && peek(1).text == "(") {
        pos_ += 2;
        e.kind = Expr::Kind::Cast;
        e.args.push_back(expression());
        expect_word("AS");
        e.cast_type = type();
        expect_symbol(")");
        return sealed(std::move(e));
      }
    }
    if (t.kind == Token::Kind::Word || t.kind == Token::Kind::Quoted) {
      std::string name = identifier();
      if (t.kind == Token::Kind::Word && accept_symbol("(")) {
        e.kind = Expr::Kind::Call;
        e.name = name;
        if (!accept_symbol("*") && !is_symbol(")")) {
          do
            e.args.push_back(expression());
          while (accept_symbol(","));
        }
        expect_symbol(")");
        return sealed(std::move(e));
      }
      e.kind = Expr::Kind::Column;
      if (accept_symbol(".")) {
        e.qualifier = name;
        e.name = identifier();
      } else {
        e.name = name;
      }
      return e;
    }
    mismatched("an expression");
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0; // rules on the stack right now (see Nest)
};

} // namespace

std::string Expr::text() const {
  switch (kind) {
  case Kind::Literal:
    return sql_text(literal);
  case Kind::Column:
    return qualifier.empty() ? name : qualifier + "." + name;
  case Kind::Binary: {
    std::string op = name;
    if (op == "!=") op = "<>";
    return "(" + args[0].text() + " " + op + " " + args[1].text() + ")";
  }
  case Kind::Not:
    return "(NOT " + args[0].text() + ")";
  case Kind::IsNull:
    return "(" + args[0].text() + " IS NULL)";
  case Kind::IsNotNull:
    return "(" + args[0].text() + " IS NOT NULL)";
  case Kind::Negate:
    return "-" + args[0].text();
  case Kind::Array: {
    std::string s = "ARRAY[";
    for (std::size_t i = 0; i < args.size(); ++i)
      s += (i ? ", " : "") + args[i].text();
    return s + "]";
  }
  case Kind::Map: {
    std::string s = "MAP(";
    for (std::size_t i = 0; i + 1 < args.size(); i += 2)
      s += (i ? ", " : "") + args[i].text() + ":=" + args[i + 1].text();
    return s + ")";
  }
  case Kind::Struct: {
    std::string s = "STRUCT(";
    for (std::size_t i = 0; i < args.size(); ++i)
      s += (i ? ", " : "") + keys[i] + ":=" + args[i].text();
    return s + ")";
  }
  case Kind::Cast:
    return "CAST(" + args[0].text() + " AS " + cast_type.to_string() + ")";
  case Kind::Call: {
    std::string s = name + "(";
    for (std::size_t i = 0; i < args.size(); ++i)
      s += (i ? ", " : "") + args[i].text();
    return s + ")";
  }
  }
  return {};
}

ParseResult parse_statements(std::string_view text) {
  auto lexed = lex(text);
  if (!lexed) return lexed.error();
  Parser parser(text, std::move(*lexed));
  try {
    return parser.statements();
  } catch (const ParseAbort& f) {
    return f.error;
  }
}

} // namespace konform::serve::ksql
