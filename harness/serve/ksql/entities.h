#pragma once
// JSON encoders for the /ksql response entities and error bodies, field for field in the order
// Jackson writes them (ksqlDB 0.29 ApiJsonMapper).
#include "serve/ksql/catalog.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace konform::serve::ksql::entities {

struct TransientInfo {
  std::string id;
  std::string text;
};

std::string current_status(const std::string& statement_text, const std::string& command_id,
                           const std::string& status, const std::string& message,
                           const std::optional<std::string>& query_id, std::int64_t sequence);
// The bare CommandStatus object of GET /status/<id>.
std::string command_status(const std::string& status, const std::string& message,
                           const std::optional<std::string>& query_id);
std::string warning(const std::string& statement_text, const std::string& message);
std::string sources_list(const std::string& statement_text, const Catalog& catalog, bool tables);
std::string queries(const std::string& statement_text, const Catalog& catalog,
                    const std::vector<TransientInfo>& transient);
std::string source_description(const std::string& statement_text, const Catalog& catalog,
                               const Source& source, bool extended);
std::string topics(const std::string& statement_text, const Catalog& catalog);
std::string properties(const std::string& statement_text,
                       const std::map<std::string, std::string>& overrides);
std::string variables(const std::string& statement_text,
                      const std::map<std::string, std::string>& variables);
std::string terminate_query(const std::string& statement_text, const std::string& query_id);

// {"@type":"generic_error","error_code":N,"message":"..."}
std::string generic_error(int error_code, const std::string& message);
// {"@type":"statement_error","error_code":N,"message":"...","statementText":"...","entities":[]}
std::string statement_error(int error_code, const std::string& message,
                            const std::string& statement_text);

} // namespace konform::serve::ksql::entities
