#include "serve/ksql/ksql_request.h"

#include "json/document.h"
#include "json/writer.h"

#include <algorithm>
#include <cctype>

namespace konform::serve::ksql {

namespace {

Error invalid(const std::string& what) {
  return make_error("Invalid JSON in request: " + what);
}

// A property value as the server keeps it: strings as they are, other scalars as JSON text.
std::string scalar_text(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return json::compact(e);
}

Status read_map(simdjson::dom::element root, const char* field,
                std::map<std::string, std::string>& out) {
  simdjson::dom::element value;
  if (root[field].get(value) != simdjson::SUCCESS || value.is_null()) return Ok{};
  simdjson::dom::object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS)
    return invalid(std::string("'") + field + "' must be an object, not " +
                   json::type_name(value.type()));
  for (auto [k, v] : obj)
    out[std::string(k)] = scalar_text(v);
  return Ok{};
}

Result<json::Document> parse_object(std::string_view body) {
  auto doc = json::Document::parse(body, "request body");
  if (!doc) return invalid(doc.error().message);
  if (!doc->root().is_object())
    return invalid(std::string("the body must be a JSON object, not ") +
                   json::type_name(doc->root().type()));
  return doc;
}

} // namespace

Result<KsqlRequest> parse_ksql_request(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.error();
  auto root = doc->root();
  KsqlRequest req;
  simdjson::dom::element ksql;
  if (root["ksql"].get(ksql) == simdjson::SUCCESS && !ksql.is_null()) {
    std::string_view s;
    if (ksql.get_string().get(s) != simdjson::SUCCESS)
      return invalid(std::string("'ksql' must be a string, not ") + json::type_name(ksql.type()));
    req.ksql = std::string(s);
  }
  if (auto st = read_map(root, "streamsProperties", req.streams_properties); !st) return st.error();
  if (auto st = read_map(root, "sessionVariables", req.session_variables); !st) return st.error();
  simdjson::dom::element seq;
  if (root["commandSequenceNumber"].get(seq) == simdjson::SUCCESS && !seq.is_null()) {
    std::int64_t n = 0;
    if (seq.get_int64().get(n) != simdjson::SUCCESS)
      return invalid(std::string("'commandSequenceNumber' must be an integer, not ") +
                     json::type_name(seq.type()));
    req.command_sequence_number = n;
  }
  return req;
}

namespace {

// A required string field, with Jackson's wording when it is missing.
Result<std::string> required_string(simdjson::dom::element root, const char* field) {
  simdjson::dom::element value;
  if (root[field].get(value) != simdjson::SUCCESS || value.is_null())
    return invalid(std::string("Missing required creator property '") + field + "' (index 0)");
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS)
    return invalid(std::string("'") + field + "' must be a string, not " +
                   json::type_name(value.type()));
  return std::string(s);
}

} // namespace

Result<QueryStreamArgs> parse_query_stream_args(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.error();
  QueryStreamArgs args;
  auto sql = required_string(doc->root(), "sql");
  if (!sql) return sql.error();
  args.sql = std::move(sql.value());
  if (auto st = read_map(doc->root(), "properties", args.properties); !st) return st.error();
  if (auto st = read_map(doc->root(), "sessionVariables", args.session_variables); !st)
    return st.error();
  return args;
}

Result<std::string> parse_close_query(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.error();
  return required_string(doc->root(), "queryId");
}

Result<InsertsStreamArgs> parse_inserts_stream_args(std::string_view line) {
  auto doc = parse_object(line);
  if (!doc) return doc.error();
  InsertsStreamArgs args;
  auto target = required_string(doc->root(), "target");
  if (!target) return target.error();
  args.target = std::move(target.value());
  if (auto st = read_map(doc->root(), "properties", args.properties); !st) return st.error();
  return args;
}

namespace {

bool plain_identifier(std::string_view name) {
  bool plain = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return plain;
}

std::string identifier_quoted(std::string_view name) {
  std::string out = "`";
  for (char c : name)
    out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

// A name the SQL parser reads back unchanged: bare when it is a plain identifier (the parser
// upper-cases it, as ksqlDB matches row keys to columns), otherwise in backticks.
std::string identifier(std::string_view name) {
  return plain_identifier(name) ? std::string(name) : identifier_quoted(name);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// The column a row key fills, as the INSERT names it: a plain identifier upper-cased, any other
// name as written.
const SqlType* column_type(const std::vector<Column>& columns, std::string_view key) {
  std::string name(key);
  if (plain_identifier(key))
    for (char& c : name)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& c : columns)
    if (c.name == name) return &c.type;
  return nullptr;
}

void append_string_literal(std::string_view text, std::string& out) {
  out += '\'';
  for (char c : text)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  out += '\'';
}

// `type`: what the value fills (nullptr: not known), which decides what an object becomes.
Status sql_literal(simdjson::dom::element v, const SqlType* type, std::string& out) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
  case T::NULL_VALUE:
    out += "NULL";
    return Ok{};
  case T::BOOL:
    out += v.get_bool().value() ? "TRUE" : "FALSE";
    return Ok{};
  case T::STRING:
    append_string_literal(v.get_string().value(), out);
    return Ok{};
  case T::ARRAY: {
    out += "ARRAY[";
    const SqlType* element =
        type && type->base == BaseType::Array && !type->params.empty() ? &type->params[0] : nullptr;
    bool first = true;
    // Named: a range-for over get_array().value() iterates an array the temporary result owned.
    simdjson::dom::array items = v.get_array().value();
    for (auto item : items) {
      if (!first) out += ", ";
      first = false;
      if (auto st = sql_literal(item, element, out); !st) return st;
    }
    out += "]";
    return Ok{};
  }
  case T::OBJECT: {
    simdjson::dom::object object = v.get_object().value();
    if (type && type->base == BaseType::Map && type->params.size() == 2) {
      out += "MAP(";
      bool first = true;
      for (auto [key, value] : object) {
        if (!first) out += ", ";
        first = false;
        append_string_literal(key, out);
        out += " := ";
        if (auto st = sql_literal(value, &type->params[1], out); !st) return st;
      }
      out += ")";
      return Ok{};
    }
    if (type && type->base == BaseType::Struct) {
      // A field is matched by name, exactly or else ignoring case (ksqlDB's JSON format);
      // fields the row leaves out are NULL, keys the type does not declare are an error.
      out += "STRUCT(";
      bool first = true;
      for (auto [key, value] : object) {
        std::size_t f = 0, n = type->field_names.size();
        while (f < n && type->field_names[f] != key)
          ++f;
        for (std::size_t i = 0; f == n && i < n; ++i)
          if (equal_ignoring_case(type->field_names[i], key)) f = i;
        if (f == n || f >= type->params.size())
          return make_error("the struct " + type->to_string() + " has no field \"" +
                                std::string(key) + "\"",
                            ErrorKind::format);
        if (!first) out += ", ";
        first = false;
        out += identifier_quoted(type->field_names[f]) + " := ";
        if (auto st = sql_literal(value, &type->params[f], out); !st) return st;
      }
      out += ")";
      return Ok{};
    }
    return make_error("an object fills a MAP or STRUCT column, and this one is " +
                          (type ? type->to_string() : std::string("no column of the target")),
                      ErrorKind::format);
  }
  default: // numbers: their JSON text is a SQL literal
    out += json::compact(v);
    return Ok{};
  }
}

} // namespace

Result<std::string> inserts_row_statement(std::string_view target, std::string_view line,
                                          const std::vector<Column>& columns) {
  auto doc = json::Document::parse(line, "inserts row");
  if (!doc) return doc.error();
  simdjson::dom::object row;
  if (doc->root().get_object().get(row) != simdjson::SUCCESS)
    return make_error("a row must be a JSON object, not " + json::type_name(doc->root().type()));
  std::string names, values;
  for (auto [key, value] : row) {
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += identifier(key);
    if (auto st = sql_literal(value, column_type(columns, key), values); !st) return st.error();
  }
  return "INSERT INTO " + identifier(target) + " (" + names + ") VALUES (" + values + ");";
}

Result<std::vector<std::string>> parse_terminate_request(std::string_view body) {
  std::vector<std::string> out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  auto doc = parse_object(body);
  if (!doc) return doc.error();
  simdjson::dom::element list;
  if (doc->root()["deleteTopicList"].get(list) != simdjson::SUCCESS || list.is_null()) return out;
  simdjson::dom::array arr;
  if (list.get_array().get(arr) != simdjson::SUCCESS)
    return invalid(std::string("'deleteTopicList' must be an array, not ") +
                   json::type_name(list.type()));
  for (auto item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS)
      return invalid("'deleteTopicList' must hold strings (topic names or regexes)");
    out.emplace_back(s);
  }
  return out;
}

} // namespace konform::serve::ksql
