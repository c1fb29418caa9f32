#pragma once
// A minimal Azure Storage client for Azurite (blobs, queues and tables over http::Client): just
// what the data-management role needs to run queued ingestion. Not thread-safe: one owner thread.
#include "core/result.h"
#include "http/client.h"
#include "serve/kusto/sas.h"

#include <memory>
#include <string>
#include <vector>

namespace konform::serve::kusto {

struct StorageOptions {
  std::string blob_url;  // "http://127.0.0.1:10000" (path-style: the account is the first segment)
  std::string queue_url; // "http://127.0.0.1:10001"
  // Optional: the table service for ReportMethod Table. The SDKs' table clients
  // (@azure/data-tables) refuse plain http, so this is usually https with a test certificate,
  // trusted through ca_file.
  std::string table_url; // "https://127.0.0.1:10002"
  std::string ca_file;   // extra trust anchors (PEM) for https endpoints
  sas::Account account;
  std::size_t max_blob = std::size_t(256) << 20;
};

struct QueueMessage {
  std::string id;
  std::string pop_receipt;
  std::string text;
  int dequeue_count = 0;
};

class AzureStorage {
public:
  static Result<std::unique_ptr<AzureStorage>> connect(StorageOptions options);

  Status create_container(const std::string& name);
  Status create_queue(const std::string& name);
  Result<std::vector<QueueMessage>> receive(const std::string& queue, int max_messages,
                                            int visibility_seconds);
  Status delete_message(const std::string& queue, const QueueMessage& message);
  Status put_message(const std::string& queue, const std::string& text);
  // Table service (only when table_url is set).
  bool has_tables() const { return table_client_ != nullptr; }
  Status create_table(const std::string& name);
  // Insert-or-merge of one entity: `properties_json` is a JSON object of the properties to set.
  Status merge_entity(const std::string& table, const std::string& partition_key,
                      const std::string& row_key, const std::string& properties_json);
  // Downloads a blob by its full URL (with the client's SAS). Only URLs on the configured blob
  // endpoint are fetched: the server never follows a queue message to another host.
  Result<std::string> download(const std::string& url);

  // Client-facing SAS URLs (path-style), valid for `seconds`.
  Result<std::string> container_url(const std::string& name, std::int64_t seconds) const;
  Result<std::string> queue_url(const std::string& name, std::string_view permissions,
                                std::int64_t seconds) const;
  Result<std::string> table_url(const std::string& name, std::string_view permissions,
                                std::int64_t seconds) const;

private:
  explicit AzureStorage(StorageOptions o) : options_(std::move(o)) {}
  Result<http::Response> send(http::Client& client, http::Request request);
  Result<std::string> own_sas(); // account SAS, renewed before it expires

  StorageOptions options_;
  http::Url blob_, queue_, table_;
  std::unique_ptr<http::Client> blob_client_, queue_client_, table_client_;
  std::string own_sas_;
  std::int64_t own_sas_until_ = 0;
};

} // namespace konform::serve::kusto
