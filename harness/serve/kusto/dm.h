#pragma once
// The data-management role: `.get ingestion resources` (SAS-signed Azurite URLs),
// `.get kusto identity token`, and the queued-ingestion worker that polls the ingestion queue,
// validates each message, reads the blob (gzip or plain), ingests it into the cluster's catalog
// and posts success/failure notifications as the message's ReportLevel asks.
#include "core/result.h"
#include "serve/kusto/azure_storage.h"
#include "serve/kusto/cluster/database.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace konform::serve::kusto {

struct DmOptions {
  StorageOptions storage;
  std::chrono::milliseconds poll_interval{200};
  std::size_t max_blob = std::size_t(256) << 20; // decompressed blob limit
};

inline constexpr std::string_view ingestion_queue = "readyforaggregation-secured";
inline constexpr std::string_view success_queue = "successfulingestions";
inline constexpr std::string_view failure_queue = "failedingestions";
inline constexpr std::string_view temp_container = "tempstorage";
// The status table (ReportMethod Table / QueueAndTable), in Azurite's table service.
inline constexpr std::string_view status_table = "ingestionsstatus";

class DataManagement {
public:
  // Creates the queues and container (and the status table when a table endpoint is set) in
  // Azurite, then starts the worker thread.
  static Result<std::unique_ptr<DataManagement>> start(cluster::Catalog& catalog,
                                                       DmOptions options);
  ~DataManagement();

  Result<cluster::ResultTable> ingestion_resources() const;
  cluster::ResultTable identity_token() const;
  // `.show export containers`: the temp container's SAS URL (StorageRoot), where the SDK suites
  // upload blobs to ingest them with sourceKind=uri.
  Result<cluster::ResultTable> export_containers() const;
  // A blob for streaming ingestion with sourceKind=uri (any request thread: its own client).
  // Only URLs on the configured blob endpoint are read.
  Result<std::string> download_blob(const std::string& url) const;

  // Processes one queue message (decoded or base64 text); public for tests. Returns the
  // notification that was (or would be) posted, as JSON.
  struct Outcome {
    bool ok = false;
    std::string notification; // JSON; empty when ReportLevel asked for none
    std::string queue;        // success_queue or failure_queue
    // ReportMethod Table / QueueAndTable: the entity the SDK wrote (Pending) and the properties
    // it ends with (JSON object: Status Succeeded/Failed, Details, ErrorCode, ...). Empty key:
    // no table reporting asked.
    std::string status_partition_key, status_row_key, status_entity;
  };
  Outcome process(const std::string& message_text);

  std::size_t ingested_messages() const { return ingested_.load(); }
  std::size_t failed_messages() const { return failed_.load(); }

private:
  DataManagement(cluster::Catalog& catalog, DmOptions options)
      : catalog_(catalog), options_(std::move(options)) {}
  void run();

  cluster::Catalog& catalog_;
  DmOptions options_;
  std::unique_ptr<AzureStorage> worker_storage_; // used by the worker thread only
  std::unique_ptr<AzureStorage> url_signer_;     // builds SAS URLs (no I/O)
  std::atomic<std::size_t> ingested_{0}, failed_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

} // namespace konform::serve::kusto
