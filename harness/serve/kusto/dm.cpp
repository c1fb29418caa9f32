#include "serve/kusto/dm.h"

#include "core/base64.h"
#include "core/gzip.h"
#include "core/ids.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/ingest.h"
#include "serve/kusto/utf8.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace konform::serve::kusto {

using cluster::Column;
using cluster::Type;
using cluster::Value;

namespace {

// The AdditionalProperties the worker reads.
struct Properties {
  std::string format, mapping_reference, mapping, authorization_context;
  bool ignore_first_record = false;
};

// The SDKs spell AdditionalProperties differently (Node sends ignoreFirstRecord as a JSON
// boolean, other SDKs as the string "true"): both forms are read, and a value of any other type
// is an error (a failure notification), never silently read as the default.
Result<Properties> read_properties(simdjson::simdjson_result<simdjson::dom::element> found) {
  Properties out;
  if (found.error()) return out; // absent
  simdjson::dom::element props = found.value();
  if (props.is_null()) return out;
  if (props.type() != simdjson::dom::element_type::OBJECT)
    return make_error("AdditionalProperties must be a JSON object, got " +
                      json::type_name(props.type()));
  auto string_prop = [&](const char* key, std::string& into) -> Status {
    auto v = props[key];
    if (v.error() || v.is_null()) return Ok{};
    if (auto s = v.get_string(); !s.error()) {
      into = std::string(s.value());
      return Ok{};
    }
    return make_error("AdditionalProperties." + std::string(key) + " must be a string, got " +
                      json::type_name(v.value().type()));
  };
  for (auto [key, into] : {std::pair{"format", &out.format},
                           {"ingestionMappingReference", &out.mapping_reference},
                           {"authorizationContext", &out.authorization_context}})
    if (auto s = string_prop(key, *into); !s) return s.error();
  // The inline mapping: a JSON string (what the SDKs send) or the array itself.
  if (auto m = props["ingestionMapping"]; !m.error() && !m.is_null()) {
    if (auto s = m.get_string(); !s.error())
      out.mapping = std::string(s.value());
    else if (m.type() == simdjson::dom::element_type::ARRAY)
      out.mapping = json::compact(m.value());
    else
      return make_error("AdditionalProperties.ingestionMapping must be a JSON string or array, "
                        "got " +
                        json::type_name(m.value().type()));
  }
  if (auto v = props["ignoreFirstRecord"]; !v.error() && !v.is_null()) {
    if (auto b = v.get_bool(); !b.error()) {
      out.ignore_first_record = b.value();
    } else if (auto s = v.get_string(); !s.error() && (text::iequals(s.value(), "true") ||
                                                       text::iequals(s.value(), "false"))) {
      out.ignore_first_record = text::iequals(s.value(), "true");
    } else {
      return make_error(
          "AdditionalProperties.ignoreFirstRecord must be true or false (a JSON "
          "boolean or the string \"true\"/\"false\"), got " +
          (s.error() ? json::type_name(v.value().type()) : "\"" + std::string(s.value()) + "\""));
    }
  }
  return out;
}

// Where the message asks its status written: IngestionStatusInTable as the SDKs send it (Python
// and .NET: PartitionKey/RowKey; Node: partitionKey/rowKey). The table itself is always the
// server's own status table: the URL in the message is not followed.
struct StatusInTable {
  std::string partition_key, row_key;
};

Result<std::optional<StatusInTable>>
read_status_in_table(simdjson::simdjson_result<simdjson::dom::element> found) {
  if (found.error() || found.is_null()) return std::optional<StatusInTable>();
  if (found.type() != simdjson::dom::element_type::OBJECT)
    return make_error("IngestionStatusInTable must be a JSON object, got " +
                      json::type_name(found.value().type()));
  StatusInTable out;
  for (auto [upper, lower, into] : {std::tuple{"PartitionKey", "partitionKey", &out.partition_key},
                                    std::tuple{"RowKey", "rowKey", &out.row_key}}) {
    auto v = found[upper];
    if (v.error()) v = found[lower];
    auto text_value = v.get_string();
    if (v.error() || text_value.error())
      return make_error("IngestionStatusInTable." + std::string(upper) + " must be a string");
    std::string_view key = text_value.value();
    // Azure Table keys: at most 1 KiB, no '/', '\\', '#', '?' or control characters.
    if (key.empty() || key.size() > 1024 || key.find_first_of("/\\#?") != std::string_view::npos ||
        std::any_of(key.begin(), key.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      return make_error("IngestionStatusInTable." + std::string(upper) +
                        " is not a valid table key (1 to 1024 characters, no / \\ # ? or "
                        "control characters)");
    *into = std::string(key);
  }
  return std::optional<StatusInTable>(out);
}

} // namespace

Result<std::unique_ptr<DataManagement>> DataManagement::start(cluster::Catalog& catalog,
                                                              DmOptions options) {
  std::unique_ptr<DataManagement> dm(new DataManagement(catalog, std::move(options)));
  auto worker = AzureStorage::connect(dm->options_.storage);
  if (!worker) return worker.error();
  auto signer = AzureStorage::connect(dm->options_.storage);
  if (!signer) return signer.error();
  dm->worker_storage_ = std::move(worker.value());
  dm->url_signer_ = std::move(signer.value());
  for (auto q : {ingestion_queue, success_queue, failure_queue})
    if (auto ok = dm->worker_storage_->create_queue(std::string(q)); !ok)
      return make_error("data management: " + ok.error().message +
                        " (is Azurite running at --azurite-queue?)");
  if (auto ok = dm->worker_storage_->create_container(std::string(temp_container)); !ok)
    return make_error("data management: " + ok.error().message +
                      " (is Azurite running at --azurite-blob?)");
  if (dm->worker_storage_->has_tables())
    if (auto ok = dm->worker_storage_->create_table(std::string(status_table)); !ok)
      return make_error("data management: " + ok.error().message +
                        " (is Azurite's table service running at --azurite-table, and is its "
                        "certificate trusted with --azurite-ca?)");
  dm->worker_ = std::thread([p = dm.get()] { p->run(); });
  return dm;
}

DataManagement::~DataManagement() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<cluster::ResultTable> DataManagement::ingestion_resources() const {
  cluster::ResultTable t;
  t.name = "Table_0";
  t.columns = {{"ResourceTypeName", Type::string}, {"StorageRoot", Type::string}};
  auto add = [&](const char* kind, Result<std::string> url) -> Status {
    if (!url) return url.error();
    t.rows.push_back({Value::of_text(kind), Value::of_text(*url)});
    return Ok{};
  };
  constexpr std::int64_t valid = 6 * 3600;
  if (auto s = add("SecuredReadyForAggregationQueue",
                   url_signer_->queue_url(std::string(ingestion_queue), "raup", valid));
      !s)
    return s.error();
  if (auto s = add("FailedIngestionsQueue",
                   url_signer_->queue_url(std::string(failure_queue), "rp", valid));
      !s)
    return s.error();
  if (auto s = add("SuccessfulIngestionsQueue",
                   url_signer_->queue_url(std::string(success_queue), "rp", valid));
      !s)
    return s.error();
  if (auto s = add("TempStorage", url_signer_->container_url(std::string(temp_container), valid));
      !s)
    return s.error();
  // Only with a table endpoint: the SDKs then offer ReportMethod Table. "raud": the SDK writes
  // the Pending entity and reads it while polling.
  if (url_signer_->has_tables())
    if (auto s = add("IngestionsStatusTable",
                     url_signer_->table_url(std::string(status_table), "raud", valid));
        !s)
      return s.error();
  return t;
}

Result<cluster::ResultTable> DataManagement::export_containers() const {
  cluster::ResultTable t;
  t.name = "Table_0";
  t.columns = {{"StorageRoot", Type::string}};
  auto url = url_signer_->container_url(std::string(temp_container), 6 * 3600);
  if (!url) return url.error();
  t.rows.push_back({Value::of_text(*url)});
  return t;
}

Result<std::string> DataManagement::download_blob(const std::string& url) const {
  StorageOptions o = options_.storage;
  o.max_blob = options_.max_blob;
  auto storage = AzureStorage::connect(o);
  if (!storage) return storage.error();
  return (*storage)->download(url);
}

cluster::ResultTable DataManagement::identity_token() const {
  cluster::ResultTable t;
  t.name = "Table_0";
  t.columns = {{"AuthorizationContext", Type::string}};
  t.rows.push_back({Value::of_text("konform-identity-token")});
  return t;
}

void DataManagement::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
      if (stopping_) return;
    }
    auto messages = worker_storage_->receive(std::string(ingestion_queue), 32, 30);
    if (!messages) continue; // Azurite unavailable for a moment: try again on the next tick
    for (const auto& m : *messages) {
      auto outcome = process(m.text);
      if (!outcome.notification.empty())
        (void)worker_storage_->put_message(outcome.queue, base64::encode(outcome.notification));
      if (!outcome.status_partition_key.empty())
        (void)worker_storage_->merge_entity(std::string(status_table), outcome.status_partition_key,
                                            outcome.status_row_key, outcome.status_entity);
      (void)worker_storage_->delete_message(std::string(ingestion_queue), m);
    }
  }
}

DataManagement::Outcome DataManagement::process(const std::string& message_text) {
  std::string text = message_text;
  if (auto decoded = base64::decode(text::trim(message_text));
      decoded && !decoded->empty() && decoded->front() == '{')
    text = std::move(decoded.value());
  std::string id = ids::uuid4(), database, table, blob_path;
  int report_level = 0;  // 0 failures only, 1 none, 2 failures and successes
  int report_method = 0; // 0 queue, 1 table, 2 queue and table
  std::optional<StatusInTable> status_in_table;
  std::string error;
  std::string error_code = "BadRequest_InvalidMessage";
  bool permanent = true;
  std::size_t records = 0;

  auto doc = json::Document::parse(text, "ingestion message");
  if (!doc) {
    error = doc.error().message;
  } else {
    auto root = doc->root();
    auto str = [&](const char* key) -> std::string {
      auto v = root[key].get_string();
      return v.error() ? std::string() : std::string(v.value());
    };
    if (auto s = str("Id"); ids::is_guid(s)) id = s;
    database = str("DatabaseName");
    table = str("TableName");
    blob_path = str("BlobPath");
    if (auto level = root["ReportLevel"].get_int64(); !level.error())
      report_level = static_cast<int>(level.value());
    if (auto method = root["ReportMethod"]; !method.error() && !method.is_null()) {
      auto m = method.get_int64();
      if (m.error() || m.value() < 0 || m.value() > 2)
        error = "ReportMethod must be 0 (Queue), 1 (Table) or 2 (QueueAndTable)";
      else
        report_method = static_cast<int>(m.value());
    }
    if (report_method != 0 && error.empty()) {
      if (auto st = read_status_in_table(root["IngestionStatusInTable"]); !st)
        error = st.error().message;
      else
        status_in_table = *st;
      if (error.empty() && status_in_table && !(worker_storage_ && worker_storage_->has_tables()))
        error = "the message asks for its status in a table, but konform serve has no table "
                "service (--azurite-table)";
    }
    std::string format = "csv", mapping_ref, mapping_json, auth;
    bool ignore_first = false;
    if (auto props = read_properties(root["AdditionalProperties"]); !props) {
      error = props.error().message;
    } else {
      if (!props->format.empty()) format = props->format;
      mapping_ref = props->mapping_reference;
      mapping_json = props->mapping;
      auth = props->authorization_context;
      ignore_first = props->ignore_first_record;
    }
    if (!error.empty())
      ; // AdditionalProperties or the reporting fields were refused above
    else if (!ids::is_guid(str("Id")))
      error = "the message has no Id (a GUID)";
    else if (blob_path.empty())
      error = "the message has no BlobPath";
    else if (database.empty() || table.empty())
      error = "the message needs DatabaseName and TableName";
    else if (auth.empty())
      error = "AdditionalProperties.authorizationContext is mandatory (get it with .get kusto "
              "identity token)";
    if (error.empty()) {
      auto blob = worker_storage_ ? worker_storage_->download(blob_path)
                                  : Result<std::string>(make_error("no storage configured"));
      if (!blob) {
        error = blob.error().message;
        error_code = "Download_SourceNotFound";
        permanent = false;
      } else {
        std::string data = std::move(blob.value());
        auto path_only = blob_path.substr(0, blob_path.find('?'));
        if (gzip::looks_like_gzip(data) ||
            text::istarts_with(path_only.substr(path_only.size() >= 3 ? path_only.size() - 3 : 0),
                               ".gz")) {
          auto inflated = gzip::decompress(data, gzip::Format::gzip, options_.max_blob);
          if (!inflated) {
            error = "blob '" + sas::redact(blob_path) + "': " + inflated.error().message;
            error_code = "BadRequest_InvalidBlob";
          } else {
            data = std::move(inflated.value());
          }
        }
        // As for streaming ingestion: text that is not UTF-8 would break every later query.
        if (auto bad = error.empty() ? utf8::first_invalid(data) : std::nullopt) {
          error = "blob '" + sas::redact(blob_path) + "': not valid UTF-8 at byte offset " +
                  std::to_string(*bad);
          error_code = "BadRequest_InvalidBlob";
        }
        if (error.empty()) {
          cluster::IngestSpec spec{database,    table,        format,
                                   mapping_ref, mapping_json, ignore_first};
          auto done = cluster::ingest(catalog_, spec, data);
          if (!done) {
            error = done.error().detail;
            error_code = done.error().code;
          } else {
            records = *done;
          }
        }
      }
    }
  }
  Outcome out;
  out.ok = error.empty();
  (out.ok ? ingested_ : failed_).fetch_add(1);
  std::string operation_id = ids::uuid4(), activity_id = ids::uuid4();
  std::string now = cluster::format_datetime(cluster::now_ticks());
  if (status_in_table && report_method != 0 && worker_storage_ && worker_storage_->has_tables()) {
    // The fields the SDKs read from the status table (IngestionStatus): the final Status and,
    // on failure, what went wrong.
    out.status_partition_key = status_in_table->partition_key;
    out.status_row_key = status_in_table->row_key;
    json::Writer w(out.status_entity);
    w.begin_object();
    w.field("Status", out.ok ? "Succeeded" : "Failed").field("UpdatedOn", now);
    w.field("OperationId", operation_id).field("ActivityId", activity_id);
    w.field("Database", database).field("Table", table).field("IngestionSourceId", id);
    w.field("IngestionSourcePath", blob_path.substr(0, blob_path.find('?')));
    w.field("Details", out.ok ? std::string() : error);
    w.field("ErrorCode", out.ok ? std::string("Unknown") : error_code);
    w.field("FailureStatus", out.ok ? "NotSpecified" : permanent ? "Permanent" : "Transient");
    w.field("OriginatesFromUpdatePolicy", false);
    w.end_object();
  }
  // A message whose table reporting cannot be honoured (malformed fields, no table service)
  // still gets its failure notification on the queue: never a silently lost status.
  bool to_queue = report_method != 1 || out.status_partition_key.empty();
  bool report = to_queue && (out.ok ? report_level == 2 : report_level != 1);
  if (!report) return out;
  out.queue = std::string(out.ok ? success_queue : failure_queue);
  json::Writer w(out.notification);
  w.begin_object();
  w.field("OperationId", operation_id).field("Database", database).field("Table", table);
  w.field(out.ok ? "SucceededOn" : "FailedOn", now);
  w.field("IngestionSourceId", id)
      .field("IngestionSourcePath", blob_path.substr(0, blob_path.find('?')));
  w.field("RootActivityId", activity_id);
  if (!out.ok) {
    w.field("Details", error).field("ErrorCode", error_code);
    w.field("FailureStatus", permanent ? "Permanent" : "Transient");
    w.field("OriginatesFromUpdatePolicy", false).field("ShouldRetry", !permanent);
  } else {
    w.field("RecordsCount", static_cast<std::int64_t>(records));
  }
  w.end_object();
  return out;
}

} // namespace konform::serve::kusto
