#include "serve/ksql/catalog.h"

namespace konform::serve::ksql {

std::vector<Column> Source::logical_columns() const {
  std::vector<Column> out;
  for (auto& c : columns)
    if (c.key) out.push_back(c);
  for (auto& c : columns)
    if (!c.key) out.push_back(c);
  return out;
}

const Source* Catalog::find(const std::string& name) const {
  auto it = sources.find(name);
  return it == sources.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalog::readers(const std::string& name) const {
  std::vector<std::string> out;
  for (auto& [id, q] : queries)
    if (q.source == name) out.push_back(id);
  return out;
}

std::vector<std::string> Catalog::writers(const std::string& name) const {
  std::vector<std::string> out;
  for (auto& [id, q] : queries)
    if (q.sink == name) out.push_back(id);
  return out;
}

} // namespace konform::serve::ksql
