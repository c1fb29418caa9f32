#include "serve/kusto/cluster/kql.h"

#include "core/text.h"
#include "json/writer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace konform::serve::kusto::cluster {
namespace {

enum class Tok { ident, integer, real, string, timespan, typed, symbol, end };

struct Token {
  Tok kind = Tok::end;
  std::string text; // identifier / symbol / decoded string / literal body
  std::string type; // Tok::typed: the type keyword ("datetime", "guid", ...)
  std::size_t offset = 0;
  int line = 1, col = 1;
  bool bracketed = false; // an ident written ['name']: in `datatable(...) ['x']` a value list
};

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_type_keyword(std::string_view s) {
  for (auto k : {"datetime", "date", "timespan", "time", "guid", "dynamic", "decimal", "int",
                 "long", "real", "double", "bool", "boolean", "string"})
    if (s == k) return true;
  return false;
}

// Turns the query text into tokens; an unknown character or an unterminated literal becomes a
// syntax error at its line:position.
class Lexer {
public:
  Lexer(std::string_view text, std::size_t start) : s_(text), pos_(0) {
    // Line/column are counted over the whole text, tokens start at `start`.
    while (pos_ < start)
      advance();
  }

  Result<Ok, Failure> run(std::vector<Token>& out) {
    for (;;) {
      skip_space();
      Token t;
      t.offset = pos_;
      t.line = line_;
      t.col = col_;
      if (pos_ >= s_.size()) {
        out.push_back(t);
        return Ok{};
      }
      char c = s_[pos_];
      if (ident_start(c)) {
        while (pos_ < s_.size() && (ident_char(s_[pos_]) || s_[pos_] == '-') &&
               !(s_[pos_] == '-' && !continues_keyword(t.offset)))
          advance();
        t.kind = Tok::ident;
        t.text = std::string(s_.substr(t.offset, pos_ - t.offset));
        skip_space_peek();
        if (is_type_keyword(t.text) && peek_char() == '(') {
          t.kind = Tok::typed;
          t.type = t.text;
          skip_space();
          advance(); // '('
          std::size_t body = pos_;
          int depth = 1;
          char quote = 0;
          while (pos_ < s_.size()) {
            char d = s_[pos_];
            if (quote) {
              if (d == '\\')
                advance();
              else if (d == quote)
                quote = 0;
            } else if (d == '"' || d == '\'') {
              quote = d;
            } else if (d == '(' || d == '[' || d == '{') {
              ++depth;
            } else if (d == ')' || d == ']' || d == '}') {
              if (--depth == 0) break;
            }
            advance();
          }
          if (pos_ >= s_.size()) return error(t, t.type);
          t.text = std::string(text::trim(s_.substr(body, pos_ - body)));
          advance(); // ')'
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && pos_ + 1 < s_.size() && std::isdigit((unsigned char)s_[pos_ + 1]))) {
        bool real = false;
        while (pos_ < s_.size() && (std::isdigit((unsigned char)s_[pos_]) || s_[pos_] == '.' ||
                                    ((s_[pos_] == 'e' || s_[pos_] == 'E') && exponent_follows()))) {
          if (!std::isdigit((unsigned char)s_[pos_])) real = true;
          if (s_[pos_] == 'e' || s_[pos_] == 'E') {
            advance();
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) advance();
            continue;
          }
          advance();
        }
        std::size_t unit = pos_;
        while (pos_ < s_.size() && std::isalpha((unsigned char)s_[pos_]))
          advance();
        t.text = std::string(s_.substr(t.offset, pos_ - t.offset));
        if (pos_ > unit) {
          t.kind = Tok::timespan;
          if (!parse_timespan(t.text)) return error(t, t.text);
        } else {
          t.kind = real ? Tok::real : Tok::integer;
        }
      } else if (c == '"' || c == '\'' ||
                 ((c == '@' || c == 'h' || c == 'H') && pos_ + 1 < s_.size() &&
                  (s_[pos_ + 1] == '"' || s_[pos_ + 1] == '\''))) {
        bool verbatim = c == '@';
        if (c != '"' && c != '\'') advance();
        char quote = s_[pos_];
        advance();
        std::string value;
        bool closed = false;
        while (pos_ < s_.size()) {
          char d = s_[pos_];
          advance();
          if (d == quote) {
            closed = true;
            break;
          }
          if (d == '\\' && !verbatim && pos_ < s_.size()) {
            char e = s_[pos_];
            advance();
            value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            continue;
          }
          value += d;
        }
        if (!closed) return error(t, std::string(1, quote));
        t.kind = Tok::string;
        t.text = std::move(value);
      } else if (c == '[' && pos_ + 1 < s_.size() &&
                 (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"')) {
        // ['name with spaces'] — a bracketed identifier.
        advance();
        char quote = s_[pos_];
        advance();
        std::size_t body = pos_;
        while (pos_ < s_.size() && s_[pos_] != quote)
          advance();
        if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != ']') return error(t, "[");
        t.kind = Tok::ident;
        t.bracketed = true;
        t.text = std::string(s_.substr(body, pos_ - body));
        advance();
        advance();
      } else {
        static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "=~", "!~", "<>"};
        t.kind = Tok::symbol;
        for (auto op : two)
          if (s_.substr(pos_, 2) == op) t.text = std::string(op);
        if (t.text.empty()) {
          if (std::string_view("|,()=<>;!.-+*/:[]").find(c) == std::string_view::npos)
            return error(t, std::string(1, c));
          t.text = std::string(1, c);
        }
        for (std::size_t k = 0; k < t.text.size(); ++k)
          advance();
      }
      out.push_back(std::move(t));
      if (out.size() > max_query_tokens)
        return bad_request("The query has more than " + std::to_string(max_query_tokens) +
                           " tokens (the limit of konform serve); send a shorter query");
    }
  }

private:
  // Keywords like "project-away" or "!contains_cs" keep a '-' only when letters follow.
  bool continues_keyword(std::size_t start) const {
    auto word = s_.substr(start, pos_ - start);
    return (word == "project" || word == "mv" || word == "make") && pos_ + 1 < s_.size() &&
           ident_start(s_[pos_ + 1]);
  }
  bool exponent_follows() const {
    std::size_t k = pos_ + 1;
    if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
    return k < s_.size() && std::isdigit((unsigned char)s_[k]);
  }
  void advance() {
    if (pos_ < s_.size() && s_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void skip_space() {
    for (;;) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
        advance();
      if (s_.substr(pos_, 2) == "//") {
        while (pos_ < s_.size() && s_[pos_] != '\n')
          advance();
        continue;
      }
      return;
    }
  }
  void skip_space_peek() {
    peek_ = pos_;
    while (peek_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[peek_])))
      ++peek_;
  }
  char peek_char() const { return peek_ < s_.size() ? s_[peek_] : '\0'; }
  Failure error(const Token& t, std::string token) const {
    return syntax_error(std::string(s_), t.line, t.col, std::move(token));
  }

  std::string_view s_;
  std::size_t pos_, peek_ = 0;
  int line_ = 1, col_ = 1;
};

struct Literal {
  Type type = Type::int64;
  Value value;
};

enum class Op {
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  eq_ci,
  ne_ci,
  contains,
  not_contains,
  contains_cs,
  has,
  not_has,
  has_cs,
  startswith,
  endswith
};

struct Predicate {
  int column = -1;
  Op op = Op::eq;
  Literal literal;
  bool to_string = false; // tostring(column): compared as its text (dynamic: compact JSON)
};

class Parser {
public:
  Parser(std::string_view text, std::vector<Token> tokens, const QueryParameters& params)
      : text_(text), t_(std::move(tokens)), params_(params) {}

  const Token& peek(std::size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
  const Token& next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool at_symbol(std::string_view s) const {
    return peek().kind == Tok::symbol && peek().text == s;
  }
  bool at_ident(std::string_view s) const { return peek().kind == Tok::ident && peek().text == s; }
  Failure syntax(const Token& t) const {
    std::string tok = t.kind == Tok::end ? "<EOF>" : t.text;
    return syntax_error(std::string(text_), t.line, t.col, tok);
  }
  Failure semantic(std::string code, std::string what) const {
    return semantic_error(std::string(text_), database_, std::move(code), std::move(what));
  }

  std::string database_;
  bool reads_clock_ = false;
  std::map<std::string, Type, std::less<>> declared_;

  // declare query_parameters(name:type[=default], ...);
  Result<Ok, Failure> declarations() {
    while (at_ident("declare")) {
      next();
      if (!at_ident("query_parameters") || peek(1).text != "(") return syntax(peek());
      next();
      next();
      while (!at_symbol(")")) {
        if (peek().kind != Tok::ident || peek(1).text != ":") return syntax(peek());
        std::string name = next().text;
        next();
        const Token& type_tok = next();
        auto type = parse_type(type_tok.kind == Tok::typed ? type_tok.type : type_tok.text);
        if (!type) return syntax(type_tok);
        declared_[name] = *type;
        if (at_symbol("=")) {
          next();
          auto lit = literal(next());
          if (!lit) return lit.error();
          defaults_[name] = lit.value();
        }
        if (at_symbol(","))
          next();
        else if (!at_symbol(")"))
          return syntax(peek());
      }
      next();
      if (!at_symbol(";")) return syntax(peek());
      next();
    }
    return Ok{};
  }

  Result<Literal, Failure> literal(const Token& tok) {
    Literal lit;
    auto typed = [&](Type type, std::string_view body) -> Result<Literal, Failure> {
      auto v = parse_value(type, body);
      if (!v) return syntax(tok);
      return Literal{type, std::move(v.value())};
    };
    switch (tok.kind) {
    case Tok::integer:
      return typed(Type::int64, tok.text);
    case Tok::real:
      return typed(Type::real, tok.text);
    case Tok::string:
      return Literal{Type::string, Value::of_text(tok.text)};
    case Tok::timespan:
      return typed(Type::timespan, tok.text);
    case Tok::typed: {
      auto type = parse_type(tok.type);
      std::string body = tok.text;
      // string("a"), guid("...") (the Go SDK's builder quotes guids): the quotes are not part of
      // the value; dynamic("a") is a JSON string and keeps them.
      if (*type != Type::dynamic && body.size() >= 2 && (body[0] == '"' || body[0] == '\'') &&
          body.back() == body[0])
        body = body.substr(1, body.size() - 2);
      // dynamic('[1,2,3]'), dynamic('{ "a": 1}'): a KQL string literal makes a dynamic string
      // holding its text as written (the Go SDK suite expects the space in `{ "a": 1}` back);
      // without this the single quotes were kept as part of the value.
      if (*type == Type::dynamic && body.size() >= 2 && (body[0] == '"' || body[0] == '\'')) {
        std::vector<Token> one;
        if (Lexer(body, 0).run(one).ok() && one.size() == 2 && one[0].kind == Tok::string) {
          std::string quoted;
          json::append_quoted(quoted, one[0].text);
          return Literal{Type::dynamic, Value::of_text(std::move(quoted))};
        }
      }
      // int(null), datetime(null), guid(null), ...: a null of that type.
      if (body == "null" && *type != Type::string) return Literal{*type, Value::null()};
      return typed(*type, body);
    }
    case Tok::ident: {
      if (tok.text == "true" || tok.text == "false")
        return Literal{Type::boolean, Value::of_int(tok.text == "true")};
      if (tok.text == "now" && at_symbol("(") && peek(1).text == ")") {
        next();
        next();
        reads_clock_ = true;
        return Literal{Type::datetime, Value::of_int(now_ticks())};
      }
      auto declared = declared_.find(tok.text);
      if (declared != declared_.end()) {
        auto sent = params_.find(tok.text);
        if (sent != params_.end()) {
          std::string body = sent->second;
          // Non-string parameters may arrive as KQL literals: datetime(...), guid(...).
          auto open = body.find('(');
          if (declared->second != Type::string && open != std::string::npos && body.back() == ')')
            body = body.substr(open + 1, body.size() - open - 2);
          // A string may arrive as a KQL string literal (the Go SDK quotes it: "\"T\"") or
          // bare (Node, Java); the service takes both.
          if (declared->second == Type::string && body.size() >= 2 &&
              (body[0] == '"' || body[0] == '\'') && body.back() == body[0]) {
            std::vector<Token> one;
            if (Lexer(body, 0).run(one).ok() && one.size() == 2 && one[0].kind == Tok::string)
              body = one[0].text;
          }
          auto v = parse_value(declared->second, body);
          if (!v) return bad_request("Query parameter '" + tok.text + "': " + v.error().message);
          return Literal{declared->second, std::move(v.value())};
        }
        auto def = defaults_.find(tok.text);
        if (def != defaults_.end()) return def->second;
        return bad_request("Query parameter '" + tok.text +
                           "' is declared without a default and was not sent in the request "
                           "properties' Parameters");
      }
      return semantic("SEM0100", "Failed to resolve scalar expression named '" + tok.text + "'");
    }
    case Tok::symbol:
      if (tok.text == "-" && (peek().kind == Tok::integer || peek().kind == Tok::real ||
                              peek().kind == Tok::timespan)) {
        const Token& num = next();
        Token neg = num;
        neg.text = "-" + num.text;
        return literal(neg);
      }
      return syntax(tok);
    default:
      return syntax(tok);
    }
  }

private:
  std::string_view text_;
  std::vector<Token> t_;
  std::size_t i_ = 0;
  const QueryParameters& params_;
  std::map<std::string, Literal, std::less<>> defaults_;
};

bool is_numeric(Type t) {
  return t == Type::int32 || t == Type::int64 || t == Type::real || t == Type::decimal;
}

double as_double(Type t, const Value& v) {
  if (t == Type::real) return v.r;
  if (t == Type::decimal) return text::parse_double(v.s).value_or(0);
  return static_cast<double>(v.i);
}

// The text a string operator looks at: strings as they are, other types as their JSON text.
std::string as_text(Type t, const Value& v) {
  if (t == Type::string || t == Type::guid || t == Type::decimal) return v.s;
  std::string out;
  append_json(out, t, v);
  if (out.size() >= 2 && out.front() == '"' && t != Type::dynamic)
    out = out.substr(1, out.size() - 2);
  return out;
}

std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
  for (std::size_t k = from; k + needle.size() <= hay.size(); ++k) {
    std::size_t m = 0;
    while (m < needle.size() &&
           std::tolower((unsigned char)hay[k + m]) == std::tolower((unsigned char)needle[m]))
      ++m;
    if (m == needle.size()) return k;
  }
  return std::string_view::npos;
}

// `has`: the needle matches whole terms (runs of letters and digits), case-insensitively.
bool has_term(std::string_view hay, std::string_view needle, bool case_sensitive) {
  for (std::size_t k = 0;;) {
    std::size_t at = case_sensitive ? hay.find(needle, k) : ifind(hay, needle, k);
    if (at == std::string_view::npos) return false;
    bool left = at == 0 || !std::isalnum((unsigned char)hay[at - 1]);
    std::size_t end = at + needle.size();
    bool right = end >= hay.size() || !std::isalnum((unsigned char)hay[end]);
    if (left && right) return true;
    k = at + 1;
  }
}

bool matches(const Predicate& p, Type column_type, const Value& v) {
  const Literal& lit = p.literal;
  switch (p.op) {
  case Op::contains:
    return !v.is_null && ifind(as_text(column_type, v), lit.value.s, 0) != std::string::npos;
  case Op::not_contains:
    return v.is_null || ifind(as_text(column_type, v), lit.value.s, 0) == std::string::npos;
  case Op::contains_cs:
    return !v.is_null && as_text(column_type, v).find(lit.value.s) != std::string::npos;
  case Op::has:
    return !v.is_null && has_term(as_text(column_type, v), lit.value.s, false);
  case Op::not_has:
    return v.is_null || !has_term(as_text(column_type, v), lit.value.s, false);
  case Op::has_cs:
    return !v.is_null && has_term(as_text(column_type, v), lit.value.s, true);
  case Op::startswith:
    return !v.is_null && ifind(as_text(column_type, v), lit.value.s, 0) == 0;
  case Op::endswith: {
    auto s = as_text(column_type, v);
    return !v.is_null && s.size() >= lit.value.s.size() &&
           text::iequals(std::string_view(s).substr(s.size() - lit.value.s.size()), lit.value.s);
  }
  case Op::eq_ci:
    return text::iequals(as_text(column_type, v), lit.value.s);
  case Op::ne_ci:
    return !text::iequals(as_text(column_type, v), lit.value.s);
  default:
    break;
  }
  // Comparison operators: nulls never compare (Kusto: null == x is false, null != x is false).
  if (v.is_null || lit.value.is_null) return false;
  int c;
  if (is_numeric(column_type) && is_numeric(lit.type) &&
      (column_type == Type::real || lit.type == Type::real || column_type == Type::decimal ||
       lit.type == Type::decimal)) {
    double a = as_double(column_type, v), b = as_double(lit.type, lit.value);
    c = a < b ? -1 : (a > b ? 1 : 0);
  } else {
    c = compare(column_type, v, lit.value);
  }
  switch (p.op) {
  case Op::eq:
    return c == 0;
  case Op::ne:
    return c != 0;
  case Op::lt:
    return c < 0;
  case Op::le:
    return c <= 0;
  case Op::gt:
    return c > 0;
  case Op::ge:
    return c >= 0;
  default:
    return false;
  }
}

// Can a column of type `column` be compared with a literal of type `literal` by `op`?
bool comparable(Type column, Type literal, Op op) {
  if (op >= Op::eq_ci) return literal == Type::string;
  if (is_numeric(column) && is_numeric(literal)) return true;
  if (column == Type::guid && literal == Type::string) return true;
  if ((op == Op::eq || op == Op::ne) && column == Type::dynamic) return true;
  return column == literal;
}

std::optional<Op> parse_op(Parser& p) {
  const Token& t = p.peek();
  static const std::pair<std::string_view, Op> words[] = {
      {"contains", Op::contains}, {"contains_cs", Op::contains_cs}, {"has", Op::has},
      {"has_cs", Op::has_cs},     {"startswith", Op::startswith},   {"endswith", Op::endswith}};
  static const std::pair<std::string_view, Op> symbols[] = {
      {"==", Op::eq}, {"!=", Op::ne}, {"<>", Op::ne},    {"<", Op::lt},    {"<=", Op::le},
      {">", Op::gt},  {">=", Op::ge}, {"=~", Op::eq_ci}, {"!~", Op::ne_ci}};
  if (t.kind == Tok::symbol && t.text == "!" && p.peek(1).kind == Tok::ident) {
    if (p.peek(1).text == "contains" || p.peek(1).text == "has") {
      Op op = p.peek(1).text == "contains" ? Op::not_contains : Op::not_has;
      p.next();
      p.next();
      return op;
    }
    return std::nullopt;
  }
  if (t.kind == Tok::symbol)
    for (auto [s, op] : symbols)
      if (t.text == s) {
        p.next();
        return op;
      }
  if (t.kind == Tok::ident)
    for (auto [s, op] : words)
      if (t.text == s) {
        p.next();
        return op;
      }
  return std::nullopt;
}

// Orders two non-null cells of one column type: <0, 0 or >0.
int compare_cells(Type t, const Value& x, const Value& y) {
  auto three_way = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (t) {
  case Type::real:
    return three_way(x.r, y.r);
  case Type::decimal:
    return three_way(std::strtod(x.s.c_str(), nullptr), std::strtod(y.s.c_str(), nullptr));
  case Type::string:
  case Type::guid:
  case Type::dynamic:
    return x.s.compare(y.s) < 0 ? -1 : (x.s == y.s ? 0 : 1);
  default:
    return three_way(x.i, y.i);
  }
}

// Runs "| op | op ..." from the parser's current token over `table`.
Result<ResultTable, Failure> pipeline(Parser& p, ResultTable table) {
  while (p.at_symbol("|")) {
    p.next();
    const Token& op = p.next();
    if (op.kind != Tok::ident) return p.syntax(op);
    if (op.text == "take" || op.text == "limit") {
      const Token& n = p.next();
      auto lit = p.literal(n);
      if (!lit) return lit.error();
      if (!is_numeric(lit->type) || lit->type == Type::real || lit->type == Type::decimal ||
          lit->value.is_null)
        return p.syntax(n);
      auto count = static_cast<std::size_t>(std::max<std::int64_t>(lit->value.i, 0));
      if (table.rows.size() > count) table.rows.resize(count);
    } else if (op.text == "count") {
      ResultTable counted;
      counted.name = table.name;
      counted.columns = {{"Count", Type::int64}};
      counted.rows.push_back({Value::of_int(static_cast<std::int64_t>(table.rows.size()))});
      table = std::move(counted);
    } else if (op.text == "project") {
      // A pick is a column (index >= 0) or a constant (`A="1"`, the Go SDK suite's
      // ".show databases | project A=\"1\" | take 1"; index -1, value in constants).
      std::vector<std::pair<std::string, int>> picks;
      std::vector<Literal> constants;
      do {
        if (!picks.empty()) p.next(); // ','
        const Token& name = p.next();
        if (name.kind != Tok::ident) return p.syntax(name);
        std::string out_name = name.text;
        std::string source = name.text;
        if (p.at_symbol("=")) {
          p.next();
          const Token& src = p.next();
          if (src.kind != Tok::ident || p.at_symbol("(")) {
            auto lit = p.literal(src);
            if (!lit)
              return p.semantic("SEM0100", "'project' operator: only column references and "
                                           "literals are supported by konform serve, not '" +
                                               src.text + "'");
            picks.emplace_back(out_name, -1 - static_cast<int>(constants.size()));
            constants.push_back(std::move(lit.value()));
            continue;
          }
          source = src.text;
        }
        int index = -1;
        for (std::size_t k = 0; k < table.columns.size(); ++k)
          if (table.columns[k].name == source) index = static_cast<int>(k);
        if (index < 0)
          return p.semantic("SEM0100", "'project' operator: Failed to resolve scalar expression "
                                       "named '" +
                                           source + "'");
        picks.emplace_back(out_name, index);
      } while (p.at_symbol(","));
      auto constant = [&](int index) -> const Literal& {
        return constants[static_cast<std::size_t>(-1 - index)];
      };
      ResultTable projected;
      projected.name = table.name;
      for (const auto& [name, index] : picks)
        projected.columns.push_back(
            {name, index < 0 ? constant(index).type
                             : table.columns[static_cast<std::size_t>(index)].type});
      projected.rows.reserve(table.rows.size());
      for (auto& row : table.rows) {
        Row r;
        r.reserve(picks.size());
        for (const auto& pick : picks)
          r.push_back(pick.second < 0 ? constant(pick.second).value
                                      : row[static_cast<std::size_t>(pick.second)]);
        projected.rows.push_back(std::move(r));
      }
      table = std::move(projected);
    } else if (op.text == "where" || op.text == "filter") {
      std::vector<Predicate> preds;
      do {
        if (!preds.empty()) p.next(); // 'and'
        Token col = p.next();
        if (col.kind != Tok::ident) return p.syntax(col);
        Predicate pred;
        // tostring(c) == tostring(literal) (the Go SDK suite compares a dynamic column so).
        if (col.text == "tostring" && p.at_symbol("(")) {
          p.next();
          col = p.next();
          if (col.kind != Tok::ident || !p.at_symbol(")")) return p.syntax(col);
          p.next();
          pred.to_string = true;
        }
        for (std::size_t k = 0; k < table.columns.size(); ++k)
          if (table.columns[k].name == col.text) pred.column = static_cast<int>(k);
        if (pred.column < 0)
          return p.semantic("SEM0100", "'where' operator: Failed to resolve scalar expression "
                                       "named '" +
                                           col.text + "'");
        auto parsed_op = parse_op(p);
        if (!parsed_op) return p.syntax(p.peek());
        pred.op = *parsed_op;
        const Token& lit_tok = p.next();
        bool lit_to_string =
            lit_tok.kind == Tok::ident && lit_tok.text == "tostring" && p.at_symbol("(");
        if (lit_to_string) p.next();
        auto lit = p.literal(lit_to_string ? p.next() : lit_tok);
        if (!lit) return lit.error();
        if (lit_to_string) {
          if (!p.at_symbol(")")) return p.syntax(p.peek());
          p.next();
          std::string text = lit->value.is_null ? "" : as_text(lit->type, lit->value);
          lit = Literal{Type::string, Value::of_text(std::move(text))};
        }
        pred.literal = std::move(lit.value());
        Type ct = pred.to_string ? Type::string
                                 : table.columns[static_cast<std::size_t>(pred.column)].type;
        if (!comparable(ct, pred.literal.type, pred.op))
          return p.semantic("SEM0025", "'where' operator: Cannot compare values of types " +
                                           std::string(type_name(ct)) + " and " +
                                           std::string(type_name(pred.literal.type)) +
                                           ". Try adding explicit casts");
        if (ct == Type::guid && pred.literal.type == Type::string)
          pred.literal.value.s = text::to_lower(pred.literal.value.s);
        preds.push_back(std::move(pred));
      } while (p.at_ident("and"));
      std::vector<Row> kept;
      for (auto& row : table.rows) {
        bool ok = true;
        for (const auto& pred : preds) {
          auto k = static_cast<std::size_t>(pred.column);
          if (pred.to_string) {
            Value text =
                Value::of_text(row[k].is_null ? "" : as_text(table.columns[k].type, row[k]));
            if (matches(pred, Type::string, text)) continue;
            ok = false;
            break;
          }
          if (!matches(pred, table.columns[k].type, row[k])) {
            ok = false;
            break;
          }
        }
        if (ok) kept.push_back(std::move(row));
      }
      table.rows = std::move(kept);
    } else if (op.text == "sort" || op.text == "order") {
      // `order by c [asc|desc] [nulls first|last], ...` (the Python data suite orders its
      // streaming query). Kusto's defaults: desc; nulls first when ascending, last when
      // descending.
      if (!p.at_ident("by")) return p.syntax(p.peek());
      p.next();
      struct Key {
        std::size_t column;
        bool asc;
        bool nulls_first;
      };
      std::vector<Key> keys;
      do {
        if (!keys.empty()) p.next(); // ','
        const Token& col = p.next();
        if (col.kind != Tok::ident) return p.syntax(col);
        int index = -1;
        for (std::size_t k = 0; k < table.columns.size(); ++k)
          if (table.columns[k].name == col.text) index = static_cast<int>(k);
        if (index < 0)
          return p.semantic("SEM0100", "'" + op.text +
                                           "' operator: Failed to resolve scalar expression "
                                           "named '" +
                                           col.text + "'");
        bool asc = false;
        if (p.at_ident("asc")) {
          p.next();
          asc = true;
        } else if (p.at_ident("desc")) {
          p.next();
        }
        bool nulls_first = asc;
        if (p.at_ident("nulls")) {
          p.next();
          if (!p.at_ident("first") && !p.at_ident("last")) return p.syntax(p.peek());
          nulls_first = p.next().text == "first";
        }
        keys.push_back({static_cast<std::size_t>(index), asc, nulls_first});
      } while (p.at_symbol(","));
      std::stable_sort(table.rows.begin(), table.rows.end(), [&](const Row& a, const Row& b) {
        for (const auto& key : keys) {
          const Value& x = a[key.column];
          const Value& y = b[key.column];
          if (x.is_null || y.is_null) {
            if (x.is_null && y.is_null) continue;
            return x.is_null ? key.nulls_first : !key.nulls_first;
          }
          int c = compare_cells(table.columns[key.column].type, x, y);
          if (c != 0) return key.asc ? c < 0 : c > 0;
        }
        return false;
      });
    } else {
      static constexpr std::string_view known[] = {
          "summarize", "extend",   "top",          "join",
          "union",     "distinct", "project-away", "project-rename",
          "render",    "parse",    "mv-expand",    "make-series",
          "lookup",    "as",       "serialize",    "sample",
          "getschema", "evaluate", "invoke",       "search"};
      for (auto k : known)
        if (op.text == k)
          return p.semantic("SEM0100", "'" + op.text +
                                           "' operator is not supported by konform "
                                           "serve (supported: take, limit, count, project, where, "
                                           "order by, sort by)");
      return p.syntax(op);
    }
  }
  if (p.at_symbol(";")) p.next();
  if (p.peek().kind != Tok::end) return p.syntax(p.peek());
  return table;
}

Result<ResultTable, Failure> print(Parser& p) {
  ResultTable out;
  Row row;
  do {
    if (!out.columns.empty()) p.next(); // ','
    std::string name = "print_" + std::to_string(out.columns.size());
    if (p.peek().kind == Tok::ident && p.peek(1).kind == Tok::symbol && p.peek(1).text == "=") {
      name = p.next().text;
      p.next();
    }
    const Token& tok = p.next();
    auto lit = p.literal(tok);
    if (!lit) return lit.error();
    out.columns.push_back({name, lit->type});
    row.push_back(std::move(lit->value));
  } while (p.at_symbol(","));
  out.rows.push_back(std::move(row));
  return out;
}

// A datatable cell: the literal as the column's type (an integer literal fits int, long, real
// and decimal columns; a real one real and decimal), otherwise a semantic error naming both.
Result<Value, Failure> datatable_cell(Parser& p, const Token& tok, const Column& column) {
  auto lit = p.literal(tok);
  if (!lit) return lit.error();
  if (lit->value.is_null || lit->type == column.type) return std::move(lit->value);
  bool integer = lit->type == Type::int64 || lit->type == Type::int32;
  if (integer && (column.type == Type::int32 || column.type == Type::int64))
    return std::move(lit->value);
  if ((integer || lit->type == Type::real) &&
      (column.type == Type::real || column.type == Type::decimal)) {
    auto v = parse_value(column.type, tok.text);
    if (v) return std::move(v.value());
  }
  return p.semantic("SEM0025", "datatable: column '" + column.name + "' is of type " +
                                   std::string(type_name(column.type)) + " but the value '" +
                                   tok.text + "' is a " + std::string(type_name(lit->type)));
}

// `datatable(c:type, ...) [v, v, ...]` (the Go SDK suite's inline all-types table): the values
// fill the rows column by column; a trailing comma is allowed, as in Kusto.
Result<ResultTable, Failure> datatable(Parser& p) {
  p.next(); // datatable
  p.next(); // (
  ResultTable out;
  while (!p.at_symbol(")")) {
    if (p.peek().kind != Tok::ident || p.peek(1).text != ":") return p.syntax(p.peek());
    std::string name = p.next().text;
    p.next();
    const Token& type_tok = p.next();
    auto type = parse_type(type_tok.kind == Tok::typed ? type_tok.type : type_tok.text);
    if (!type) return p.syntax(type_tok);
    out.columns.push_back({name, *type});
    if (p.at_symbol(","))
      p.next();
    else if (!p.at_symbol(")"))
      return p.syntax(p.peek());
  }
  p.next(); // )
  if (out.columns.empty()) return p.syntax(p.peek());
  if (p.peek().kind == Tok::ident && p.peek().bracketed) {
    // ['x'] is one string value; the lexer read it as a bracketed name.
    Token value = p.next();
    value.kind = Tok::string;
    auto cell = datatable_cell(p, value, out.columns[0]);
    if (!cell) return cell.error();
    if (out.columns.size() != 1)
      return p.semantic("SEM0100", "datatable: 1 value(s) left over; every row needs " +
                                       std::to_string(out.columns.size()));
    out.rows.push_back({std::move(cell.value())});
    return out;
  }
  if (!p.at_symbol("[")) return p.syntax(p.peek());
  p.next();
  Row row;
  while (!p.at_symbol("]")) {
    const Token& tok = p.next();
    if (tok.kind == Tok::end) return p.syntax(tok);
    auto cell = datatable_cell(p, tok, out.columns[row.size()]);
    if (!cell) return cell.error();
    row.push_back(std::move(cell.value()));
    if (row.size() == out.columns.size()) out.rows.push_back(std::exchange(row, {}));
    if (p.at_symbol(","))
      p.next();
    else if (!p.at_symbol("]"))
      return p.syntax(p.peek());
  }
  p.next(); // ]
  if (!row.empty())
    return p.semantic("SEM0100", "datatable: " + std::to_string(row.size()) +
                                     " value(s) left over; every row needs " +
                                     std::to_string(out.columns.size()));
  return out;
}

} // namespace

Result<ResultTable, Failure> run_query(const Catalog& catalog, std::string_view database,
                                       std::string_view query, const QueryParameters& parameters,
                                       QueryTrace* trace) {
  std::vector<Token> tokens;
  if (auto lexed = Lexer(query, 0).run(tokens); !lexed) return lexed.error();
  Parser p(query, std::move(tokens), parameters);
  p.database_ = std::string(database);
  // Literals (now()) are evaluated while parsing, so the trace is complete once the pipeline ran.
  struct Record {
    const Parser& p;
    QueryTrace* trace;
    ~Record() {
      if (trace) trace->reads_clock = p.reads_clock_;
    }
  } record{p, trace};
  if (trace) trace->generation = catalog.generation();
  if (auto declared = p.declarations(); !declared) return declared.error();
  if (p.peek().kind == Tok::end)
    return syntax_error(std::string(query), p.peek().line, p.peek().col, "<EOF>");
  if (p.at_ident("print")) {
    p.next();
    auto printed = print(p);
    if (!printed) return printed.error();
    return pipeline(p, std::move(printed.value()));
  }
  if (p.at_ident("datatable") && p.peek(1).text == "(") {
    auto table = datatable(p);
    if (!table) return table.error();
    return pipeline(p, std::move(table.value()));
  }
  Token source = p.next();
  if (source.kind != Tok::ident) return p.syntax(source);
  if (source.text == "table" && p.at_symbol("(")) {
    // table('T') or table(param) (the Go SDK suite's TestError/TestStatement): the table named
    // by a string literal or a declared string parameter.
    p.next();
    const Token& arg = p.next();
    auto name = p.literal(arg);
    if (!name) return name.error();
    if (name->type != Type::string) return p.syntax(arg);
    if (!p.at_symbol(")")) return p.syntax(p.peek());
    p.next();
    source.text = name->value.s;
  }
  ResultTable input;
  {
    auto lock = catalog.read_lock();
    if (trace) trace->generation = catalog.generation(); // stable while the lock is held
    const Database* db = catalog.find_database(database);
    if (!db) return database_not_found(std::string(database));
    auto it = db->tables.find(source.text);
    if (it == db->tables.end())
      return p.semantic("SEM0100", "'table' operator: Failed to resolve table expression named '" +
                                       source.text + "'");
    input.columns = it->second.columns;
    // take right after the table copies only the rows it keeps (the common "T | take N").
    std::size_t copy = it->second.rows.size();
    if (p.at_symbol("|") && p.peek(1).kind == Tok::ident &&
        (p.peek(1).text == "take" || p.peek(1).text == "limit") && p.peek(2).kind == Tok::integer)
      copy = std::min<std::size_t>(
          copy, text::parse_int(p.peek(2).text).value_or(0) < 0
                    ? 0
                    : static_cast<std::size_t>(*text::parse_int(p.peek(2).text)));
    input.rows.assign(it->second.rows.begin(),
                      it->second.rows.begin() + static_cast<std::ptrdiff_t>(copy));
  }
  return pipeline(p, std::move(input));
}

Result<ResultTable, Failure> run_pipeline(ResultTable input, std::string_view full_text,
                                          std::size_t pipe_offset) {
  std::vector<Token> tokens;
  if (auto lexed = Lexer(full_text, pipe_offset).run(tokens); !lexed) return lexed.error();
  static const QueryParameters none;
  Parser p(full_text, std::move(tokens), none);
  return pipeline(p, std::move(input));
}

} // namespace konform::serve::kusto::cluster
