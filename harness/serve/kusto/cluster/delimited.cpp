#include "serve/kusto/cluster/delimited.h"

namespace konform::serve::kusto::cluster {

Result<std::vector<DelimitedRecord>> parse_delimited(std::string_view text, char sep) {
  std::vector<DelimitedRecord> records;
  std::size_t pos = 0, line = 1;
  // A UTF-8 byte order mark is not data.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < text.size()) {
    if (text[pos] == '\n' || text[pos] == '\r') { // empty line
      if (text[pos] == '\n') ++line;
      ++pos;
      continue;
    }
    DelimitedRecord rec;
    rec.line = line;
    std::size_t line_start = pos;
    for (;;) {
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        std::size_t open_line = line, open_col = pos - line_start + 1;
        ++pos;
        bool closed = false;
        while (pos < text.size()) {
          char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field += '"';
              ++pos;
            } else {
              closed = true;
              break;
            }
          } else {
            if (c == '\n') {
              ++line;
              line_start = pos;
            }
            field += c;
          }
        }
        if (!closed)
          return make_error(std::to_string(open_line) + ":" + std::to_string(open_col) +
                                ": a quoted field is never closed (add the closing '\"'; a quote "
                                "inside a field is written \"\")",
                            ErrorKind::format);
        if (pos < text.size() && text[pos] != sep && text[pos] != '\n' && text[pos] != '\r')
          return make_error(std::to_string(line) + ":" + std::to_string(pos - line_start + 1) +
                                ": unexpected character after a closing quote (a quote inside a "
                                "field is written \"\")",
                            ErrorKind::format);
      } else {
        while (pos < text.size() && text[pos] != sep && text[pos] != '\n' && text[pos] != '\r')
          field += text[pos++];
      }
      rec.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == sep) {
        ++pos;
        continue;
      }
      break;
    }
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') {
      ++pos;
      ++line;
    }
    records.push_back(std::move(rec));
  }
  return records;
}

} // namespace konform::serve::kusto::cluster
