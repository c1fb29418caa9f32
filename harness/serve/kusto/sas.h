#pragma once
// Shared Access Signatures for Azure Storage (Azurite), computed by the project: HMAC-SHA256 of
// the documented string-to-sign with the account key (OpenSSL). Signatures are secrets: never log
// a SAS URL without redact().
#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace konform::serve::kusto::sas {

struct Account {
  std::string name = "devstoreaccount1";
  // The well-known Azurite development key (public, documented by Microsoft).
  std::string key_base64 =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
};

inline constexpr std::string_view version = "2021-08-06";

// base64(HMAC-SHA256(base64decode(key), data)).
Result<std::string> sign(std::string_view key_base64, std::string_view data);

// "2026-11-21T20:25:40Z" (the truncated ISO 8601 form SAS uses) for now + seconds.
std::string expiry_in(std::int64_t seconds);

// Query strings (without '?'), values URL-encoded.
// Blob container service SAS (sr=c), e.g. permissions "racwdl".
Result<std::string> container_sas(const Account& account, std::string_view container,
                                  std::string_view permissions, std::string_view expiry);
// Queue service SAS, e.g. permissions "raup".
Result<std::string> queue_sas(const Account& account, std::string_view queue,
                              std::string_view permissions, std::string_view expiry);
// Table service SAS (tn=table), e.g. permissions "raud" (what the SDKs' status-table clients
// need: write their Pending entity, read it back while polling).
Result<std::string> table_sas(const Account& account, std::string_view table,
                              std::string_view permissions, std::string_view expiry);
// Account SAS for the server's own use (create containers/queues, read and delete messages).
Result<std::string> account_sas(const Account& account, std::string_view services,
                                std::string_view resource_types, std::string_view permissions,
                                std::string_view expiry);

// The URL (or any text naming URLs) with every sig= value replaced by "REDACTED" (for messages,
// reports and logs).
std::string redact(std::string_view url);

} // namespace konform::serve::kusto::sas
