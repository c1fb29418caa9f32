// Routing, headers, authentication, throttling and compression of the Kusto engine role; the
// work itself is done by cluster/ (queries, commands, ingestion) and the encoders.
#include "serve/kusto/kusto_service.h"

#include "core/gzip.h"
#include "core/ids.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/cluster/ingest.h"
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/dm.h"
#include "serve/kusto/encode_v1.h"
#include "serve/kusto/encode_v2.h"
#include "serve/kusto/oneapi_error.h"
#include "serve/kusto/query_cache.h"
#include "serve/kusto/request.h"
#include "serve/kusto/sas.h"
#include "serve/kusto/utf8.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

namespace konform::serve::kusto {
namespace {

using cluster::Failure;

constexpr std::string_view auth_metadata_body =
    R"({"AzureAD":{"LoginEndpoint":"https://login.microsoftonline.com","LoginMfaRequired":false,"KustoClientAppId":"db662dc1-0cfe-4e1c-a843-19a68e65be58","KustoClientRedirectUri":"https://microsoft/kustoclient","KustoServiceResourceId":"https://kusto.dev.kusto.windows.net","FirstPartyAuthorityUrl":"https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a"},"dSTS":{"CloudEndpointSuffix":"windows.net","DstsRealm":"realm://dsts.core.windows.net","DstsInstance":"prod-dsts.dsts.core.windows.net","KustoDnsHostName":"kusto.windows.net","ServiceName":"kusto"}})";

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    diff |= static_cast<unsigned char>(a[k] ^ b[k]);
  return diff == 0;
}

// Which Content-Encoding the client accepts (gzip preferred), honouring "q=0".
std::optional<gzip::Format> accepted_encoding(const ServerRequest& req) {
  auto header = req.header("accept-encoding");
  if (!header) return std::nullopt;
  bool deflate = false;
  for (auto part : text::split(*header, ',')) {
    auto item = text::trim(part);
    auto semi = item.find(';');
    auto name = text::trim(item.substr(0, semi));
    if (semi != std::string_view::npos) {
      auto q = text::trim(item.substr(semi + 1));
      if (q == "q=0" || q == "q=0.0" || q == "q=0.000") continue;
    }
    if (text::iequals(name, "gzip")) return gzip::Format::gzip;
    if (text::iequals(name, "deflate")) deflate = true;
  }
  if (deflate) return gzip::Format::zlib_deflate;
  return std::nullopt;
}

class Service final : public KustoService {
public:
  explicit Service(KustoOptions o) : options_(std::move(o)) {}

  ~Service() override {
    // The DM listener first (no handler may run afterwards), then the worker, then the data.
    if (dm_server_) dm_server_->stop();
    dm_server_.reset();
    dm_.reset();
  }

  Status start_data_management() {
    if (options_.dm_listen.empty()) return Ok{};
    if (options_.azurite_blob.empty() || options_.azurite_queue.empty())
      return make_error("--dm-listen needs --azurite-blob and --azurite-queue (the Azure Storage "
                        "emulator the data-management role hands out and polls)");
    auto colon = options_.dm_listen.rfind(':');
    auto port = colon == std::string::npos ? std::nullopt
                                           : text::parse_int(options_.dm_listen.substr(colon + 1));
    if (!port || *port < 0 || *port > 65535)
      return make_error("--dm-listen '" + options_.dm_listen +
                        "' is not host:port (for example 127.0.0.1:8081)");
    DmOptions dmo;
    dmo.storage.blob_url = options_.azurite_blob;
    dmo.storage.queue_url = options_.azurite_queue;
    dmo.storage.table_url = options_.azurite_table;
    dmo.storage.ca_file = options_.azurite_ca;
    auto dm = DataManagement::start(catalog_, dmo);
    if (!dm) return dm.error();
    dm_ = std::move(dm.value());
    ServerOptions so;
    so.name = "kusto-dm";
    so.address = options_.dm_listen.substr(0, colon);
    so.port = static_cast<std::uint16_t>(*port);
    so.access_log = options_.dm_access_log;
    so.error_log = options_.dm_error_log;
    so.error_response = [this](int status, const std::string& m) {
      return error_response(status, m);
    };
    dm_server_ = std::make_unique<HttpServer>(
        so, [this](const ServerRequest& r) { return handle_role(r, true); });
    auto started = dm_server_->start();
    if (!started) return make_error("data-management listener: " + started.error().message);
    return Ok{};
  }

  std::string dm_url() const override { return dm_server_ ? dm_server_->url() : std::string(); }

  Status load() {
    if (options_.data_dir.empty()) {
      cluster::load_sample(catalog_);
      return Ok{};
    }
    auto loaded = cluster::load_folder(catalog_, options_.data_dir);
    if (!loaded)
      return make_error("--data " + options_.data_dir + ":\n" + loaded.error().message,
                        ErrorKind::data);
    auto lock = catalog_.write_lock();
    catalog_.add_database("NetDefaultDB");
    return Ok{};
  }

  ServerResponse handle(const ServerRequest& req) override { return handle_role(req, false); }

  ServerResponse handle_role(const ServerRequest& req, bool dm_role) {
    RequestIds ids = make_ids(req);
    ServerResponse r;
    // The in-flight counter is held for the whole request; beyond the limit: 429, not permanent.
    unsigned now = in_flight_.fetch_add(1) + 1;
    struct Release {
      std::atomic<unsigned>& n;
      ~Release() { n.fetch_sub(1); }
    } release{in_flight_};
    if (options_.max_concurrent > 0 && now > options_.max_concurrent) {
      Failure f;
      f.status = 429;
      f.code = "TooManyRequests";
      f.type = "Kusto.Data.Exceptions.KustoRequestThrottledException";
      f.message = "The request was denied due to throttling.";
      f.detail = "The request was denied due to throttling: konform serve answers at most " +
                 std::to_string(options_.max_concurrent) +
                 " requests at a time (--max-concurrent). Retry later.";
      f.permanent = false;
      r = failure_response(f, ids, "DN.FE.Throttling");
      r.headers.emplace_back("Retry-After", "1");
    } else {
      r = route(req, ids, dm_role);
    }
    finish(req, ids, r);
    return r;
  }

  ServerResponse error_response(int status, const std::string& message) override {
    Failure f;
    f.status = status;
    f.code = status == 413   ? "PayloadTooLarge"
             : status == 431 ? "RequestHeaderFieldsTooLarge"
             : status == 404 ? "NotFound"
                             : "BadRequest";
    f.detail = message;
    RequestIds ids{"unspecified;" + ids::uuid4(), ids::uuid4()};
    ServerResponse r = failure_response(f, ids, "DN.FE.HttpRequest");
    r.headers.emplace_back("x-ms-client-request-id", ids.client_request_id);
    r.headers.emplace_back("x-ms-activity-id", ids.activity_id);
    return r;
  }

  cluster::Catalog& catalog() { return catalog_; }

private:
  // The client's request id is echoed in headers and JSON bodies: bytes that are not UTF-8
  // (a header may carry any octet) are shown as U+FFFD so that every response stays valid JSON.
  static RequestIds make_ids(const ServerRequest& req) {
    auto crid = req.header("x-ms-client-request-id");
    return {crid && !crid->empty() ? utf8::scrub(*crid) : "unspecified;" + ids::uuid4(),
            ids::uuid4()};
  }

  static ServerResponse json_response(std::string body) {
    ServerResponse r;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
  }

  static ServerResponse failure_response(const Failure& f, const RequestIds& ids,
                                         std::string_view activity) {
    ServerResponse r;
    r.status = f.status;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    append_oneapi_error(r.body, f, ids, activity);
    return r;
  }

  bool authorized(const ServerRequest& req) const {
    if (options_.token.empty()) return true;
    auto header = req.header("authorization");
    if (!header || !text::istarts_with(*header, "Bearer ")) return false;
    return constant_time_equal(text::trim(header->substr(7)), options_.token);
  }

  ServerResponse route(const ServerRequest& req, const RequestIds& ids, bool dm_role) {
    const std::string& path = req.path;
    bool ping = path == "/v1/rest/ping";
    if (ping || path == "/v1/rest/auth/metadata") {
      // Read-only resources: GET (and HEAD); anything else is 405, as the service answers.
      if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, ids, "GET");
      if (!ping) return json_response(std::string(auth_metadata_body));
      ServerResponse r;
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      r.body = "Pong! IP address: '" + req.remote + "'";
      return r;
    }
    bool query_v1 = path == "/v1/rest/query";
    bool query_v2 = path == "/v2/rest/query";
    bool mgmt = path == "/v1/rest/mgmt";
    bool ingest = path.rfind("/v1/rest/ingest/", 0) == 0;
    if (!query_v1 && !query_v2 && !mgmt && !ingest) {
      Failure f =
          cluster::bad_request("The requested path '" + path +
                               "' does not exist. Kusto endpoints: /v1/rest/query, "
                               "/v2/rest/query, /v1/rest/mgmt, /v1/rest/ingest/{db}/{table}, "
                               "/v1/rest/ping, /v1/rest/auth/metadata");
      f.status = 404;
      f.code = "NotFound";
      f.message = "The requested resource was not found.";
      return failure_response(f, ids, "DN.FE.HttpRequest");
    }
    if (!authorized(req)) {
      Failure f;
      f.status = 401;
      f.code = "Unauthorized";
      f.type = "Kusto.Common.Svc.Exceptions.UnauthorizedOperationException";
      f.message = "Unauthorized: the request has no valid bearer token.";
      f.detail = "This konform serve instance requires 'Authorization: Bearer <token>' with the "
                 "token given to --token.";
      ServerResponse r = failure_response(f, ids, "DN.FE.Authentication");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    bool post = req.method == "POST";
    if (!(post || (req.method == "GET" && !ingest)))
      return method_not_allowed(req, ids, ingest ? "POST" : "GET, POST");
    if (ingest) return streaming_ingest(req, ids);
    auto parsed = parse_query_request(req);
    if (!parsed) return failure_response(parsed.error(), ids, "DN.FE.HttpRequest");
    ServerResponse r = execute(parsed.value(), ids, query_v1, query_v2, mgmt, dm_role);
    // A 400 in a long SDK suite can be traced from the log alone.
    r.log_note = csl_for_log(parsed->csl);
    return r;
  }

  ServerResponse execute(QueryRequest& q, const RequestIds& ids, bool query_v1, bool query_v2,
                         bool mgmt, bool dm_role) {
    bool is_command = text::trim(q.csl).substr(0, 1) == ".";
    if (mgmt || (query_v1 && is_command)) return command(q, ids, mgmt, dm_role);
    if (query_v2 && is_command) {
      ServerResponse r;
      r.status = 400;
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      r.body = "Bad request: Control commands (starting with a dot '.') do not support "
               "api_version=v2\nError details:\nClientRequestId='" +
               ids.client_request_id + "', ActivityId='" + ids.activity_id + "', Timestamp='" +
               cluster::format_datetime(cluster::now_ticks()) + "'.\n";
      return r;
    }
    return query(q, ids, query_v2);
  }

  static ServerResponse method_not_allowed(const ServerRequest& req, const RequestIds& ids,
                                           std::string allowed) {
    Failure f = cluster::bad_request("Method " + req.method + " is not allowed on " + req.path +
                                     " (use " + allowed + ")");
    f.status = 405;
    f.code = "MethodNotAllowed";
    ServerResponse r = failure_response(f, ids, "DN.FE.HttpRequest");
    r.headers.emplace_back("Allow", std::move(allowed));
    return r;
  }

  ServerResponse command(const QueryRequest& q, const RequestIds& ids, bool via_mgmt,
                         bool dm_role) {
    std::string_view activity = "DN.FE.ExecuteControlCommand";
    if (dm_role && dm_ && cluster::is_show_export_containers(q.csl)) {
      auto containers = dm_->export_containers();
      if (!containers) {
        Failure f = cluster::bad_request(containers.error().message, "ServiceError");
        f.status = 500;
        f.permanent = false;
        return failure_response(f, ids, activity);
      }
      std::string body;
      encode_v1_command(body, *containers);
      return json_response(std::move(body));
    }
    if (cluster::is_dm_command(q.csl)) {
      if (!dm_role || !dm_)
        return failure_response(cluster::wrong_endpoint_error(q.csl), ids, activity);
      std::string body;
      if (text::to_lower(q.csl).find("resources") != std::string::npos) {
        auto resources = dm_->ingestion_resources();
        if (!resources) {
          Failure f = cluster::bad_request(resources.error().message, "ServiceError");
          f.status = 500;
          f.permanent = false;
          return failure_response(f, ids, activity);
        }
        encode_v1_command(body, *resources);
      } else {
        encode_v1_command(body, dm_->identity_token());
      }
      return json_response(std::move(body));
    }
    if (via_mgmt && text::trim(q.csl).substr(0, 1) != ".")
      return failure_response(
          cluster::bad_request("'" + q.csl.substr(0, 60) +
                               "' is a query, not a control command: send queries to "
                               "/v2/rest/query or /v1/rest/query"),
          ids, activity);
    auto result = cluster::run_command(catalog_, q.db, q.csl);
    if (!result) return failure_response(result.error(), ids, activity);
    std::string body;
    if (result->piped)
      encode_v1_query(body, *prepare_result(std::move(result->table)), ids, nullptr, false);
    else
      encode_v1_command(body, result->table);
    return json_response(std::move(body));
  }

  ServerResponse query(QueryRequest& q, const RequestIds& ids, bool v2) {
    auto answer = run_prepared(q);
    if (!answer) return failure_response(answer.error(), ids, "DN.FE.ExecuteQuery");
    const PreparedResult& result = *answer->result;
    std::optional<Failure> partial;
    if (answer->truncated) partial = truncation_failure(q.truncation_max_records);
    std::string body;
    body.reserve(2048 + result.rows_json.size());
    if (v2)
      encode_v2(body, result, q.v2, ids, partial ? &*partial : nullptr);
    else
      encode_v1_query(body, result, ids, partial ? &*partial : nullptr, q.v2.defer_partial);
    return json_response(std::move(body));
  }

  struct Answer {
    std::shared_ptr<const PreparedResult> result;
    bool truncated = false; // rows beyond truncationmaxrecords were cut
  };

  // The query's result from the cache when the catalog has not changed since it was computed;
  // otherwise run and (unless it reads the clock or was cut) remembered. Rows beyond
  // truncationmaxrecords are cut before encoding, so a huge table is never encoded whole.
  Result<Answer, cluster::Failure> run_prepared(const QueryRequest& q) {
    const std::size_t limit = q.truncation_max_records;
    auto cut = [limit](cluster::ResultTable table) {
      table.rows.resize(limit);
      return Answer{prepare_result(std::move(table)), true};
    };
    std::string key = QueryCache::key(q.db, q.csl, q.parameters);
    if (auto hit = cache_.find(key, catalog_.generation()))
      return hit->table.rows.size() > limit ? cut(hit->table) : Answer{hit};
    cluster::QueryTrace trace;
    auto ran = cluster::run_query(catalog_, q.db, q.csl, q.parameters, &trace);
    if (!ran) return ran.error();
    if (ran->rows.size() > limit) return cut(std::move(ran.value()));
    auto result = prepare_result(std::move(ran.value()));
    if (!trace.reads_clock) cache_.store(std::move(key), trace.generation, result);
    return Answer{result};
  }

  ServerResponse streaming_ingest(const ServerRequest& req, const RequestIds& ids) {
    std::string_view activity = "DN.FE.StreamingIngest";
    // /v1/rest/ingest/{db}/{table}
    auto rest = std::string_view(req.path).substr(std::string_view("/v1/rest/ingest/").size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos)
      return failure_response(cluster::bad_request("Streaming ingestion path must be "
                                                   "/v1/rest/ingest/{database}/{table}, got '" +
                                                   req.path + "'"),
                              ids, activity);
    cluster::IngestSpec spec;
    spec.database = std::string(rest.substr(0, slash));
    spec.table = std::string(rest.substr(slash + 1));
    auto format = req.query_param("streamFormat");
    if (!format || format->empty())
      return failure_response(cluster::bad_request("The query string has no streamFormat: add "
                                                   "?streamFormat=csv (or tsv, scsv, sohsv, psv, "
                                                   "json, multijson, singlejson)"),
                              ids, activity);
    spec.format = *format;
    spec.mapping_name = req.query_param("mappingName").value_or("");
    auto kind = req.query_param("sourceKind");
    bool from_blob = kind && text::iequals(*kind, "uri");
    if (from_blob && !dm_)
      return failure_response(
          cluster::bad_request("sourceKind=uri (streaming ingestion from a blob) needs konform "
                               "serve started with --dm-listen, --azurite-blob and "
                               "--azurite-queue: the blob is read from that Azurite"),
          ids, activity);
    std::string decompressed;
    std::string_view data = req.body;
    auto encoding = req.header("content-encoding");
    bool labelled_gzip = encoding && text::iequals(text::trim(*encoding), "gzip");
    // Only gzip (or no encoding) is read; storing deflate or brotli bytes as rows would be
    // silent corruption.
    if (encoding && !labelled_gzip && !text::trim(*encoding).empty() &&
        !text::iequals(text::trim(*encoding), "identity"))
      return failure_response(
          cluster::bad_request("Content-Encoding '" + utf8::scrub(text::trim(*encoding)) +
                               "' is not supported for streaming ingestion: send the body "
                               "uncompressed or with 'Content-Encoding: gzip'"),
          ids, activity);
    if (labelled_gzip && !gzip::looks_like_gzip(data)) {
      Failure f = cluster::bad_request(
          "The request body is labelled 'Content-Encoding: gzip' but is not gzip data (it does not "
          "start with 1f 8b). Compress the body or drop the header.");
      return failure_response(f, ids, activity);
    }
    if (labelled_gzip || gzip::looks_like_gzip(data)) {
      auto inflated = gzip::decompress(data, gzip::Format::gzip, options_.ingest_limit);
      if (!inflated) {
        bool too_big = inflated.error().kind == ErrorKind::limit ||
                       inflated.error().message.find("limit") != std::string::npos;
        Failure f = cluster::bad_request(
            too_big ? "The decompressed request body exceeds konform serve's limit of " +
                          std::to_string(options_.ingest_limit) + " bytes; send smaller batches"
                    : "The gzip request body does not decompress: " + inflated.error().message);
        if (too_big) {
          f.status = 413;
          f.code = "PayloadTooLarge";
          f.type = "Kusto.Data.Exceptions.KustoRequestPayloadTooLargeException";
        }
        return failure_response(f, ids, activity);
      }
      decompressed = std::move(inflated.value());
      data = decompressed;
    }
    std::string blob;
    if (from_blob) {
      auto fetched = fetch_source_blob(data);
      if (!fetched) return failure_response(fetched.error(), ids, activity);
      blob = std::move(fetched.value());
      data = blob;
    }
    // Text that is not UTF-8 would be stored and later break every query response's JSON.
    if (auto bad = utf8::first_invalid(data)) {
      std::size_t line =
          1 + static_cast<std::size_t>(std::count(data.begin(), data.begin() + *bad, '\n'));
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(data[*bad]));
      return failure_response(
          cluster::bad_request("The " + std::string(decompressed.empty() ? "" : "decompressed ") +
                               "request body is not valid UTF-8: byte " + byte + " at offset " +
                               std::to_string(*bad) + " (line " + std::to_string(line) +
                               "). Streaming ingestion reads text as UTF-8; convert the data "
                               "first. Nothing was ingested."),
          ids, activity);
    }
    auto ingested = cluster::ingest(catalog_, spec, data);
    if (!ingested) return failure_response(ingested.error(), ids, activity);
    std::string body =
        R"({"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"ConsumedRecordsCount","DataType":"Int64","ColumnType":"long"},{"ColumnName":"UpdatePolicyStatus","DataType":"String","ColumnType":"string"},{"ColumnName":"UpdatePolicyFailureCode","DataType":"String","ColumnType":"string"},{"ColumnName":"UpdatePolicyFailureReason","DataType":"String","ColumnType":"string"}],"Rows":[[)";
    body += std::to_string(*ingested);
    body += R"(,"Inactive","Unknown",null]]}]})";
    return json_response(std::move(body));
  }

  // sourceKind=uri: the body is {"sourceUri": "<blob URL with SAS>"}; the blob (plain or gzip)
  // is read from the configured Azurite, never from another host.
  Result<std::string, cluster::Failure> fetch_source_blob(std::string_view body) const {
    auto doc = json::Document::parse(body, "request body");
    if (!doc)
      return cluster::bad_request("sourceKind=uri: the body must be JSON {\"SourceUri\": "
                                  "\"<blob URL>\"}: " +
                                  doc.error().message);
    // azure-kusto-data (Node) writes "sourceUri"; the REST reference spells it "SourceUri".
    auto uri = doc->root()["SourceUri"].get_string();
    if (uri.error()) uri = doc->root()["sourceUri"].get_string();
    if (uri.error() || uri.value().empty())
      return cluster::bad_request("sourceKind=uri: the body has no \"SourceUri\" string naming "
                                  "the blob to ingest");
    std::string url(uri.value());
    auto blob = dm_->download_blob(url);
    if (!blob) {
      Failure f = cluster::bad_request("sourceKind=uri: " + blob.error().message,
                                       "Download_SourceNotFound");
      return f;
    }
    std::string path = url.substr(0, url.find('?'));
    bool gz =
        path.size() >= 3 && text::iequals(std::string_view(path).substr(path.size() - 3), ".gz");
    if (!gz && !gzip::looks_like_gzip(*blob)) return std::move(blob.value());
    auto inflated = gzip::decompress(*blob, gzip::Format::gzip, options_.ingest_limit);
    if (!inflated)
      return cluster::bad_request("sourceKind=uri: blob '" + sas::redact(url) +
                                  "' does not decompress: " + inflated.error().message);
    return std::move(inflated.value());
  }

  void finish(const ServerRequest& req, const RequestIds& ids, ServerResponse& r) const {
    r.headers.emplace_back("x-ms-client-request-id", ids.client_request_id);
    r.headers.emplace_back("x-ms-activity-id", ids.activity_id);
    // The last line of defence for "every response is valid JSON": a request-supplied string
    // that reached a message (a percent-decoded path, a database name) without being checked.
    if (!r.stream && utf8::first_invalid(r.body)) r.body = utf8::scrub(r.body);
    if (r.body.size() >= options_.compress_min && !r.stream) {
      if (auto format = accepted_encoding(req)) {
        r.body = gzip::compress(r.body, *format, 1);
        r.headers.emplace_back("Content-Encoding",
                               *format == gzip::Format::gzip ? "gzip" : "deflate");
      }
      r.headers.emplace_back("Vary", "Accept-Encoding");
    }
  }

  KustoOptions options_;
  cluster::Catalog catalog_;
  QueryCache cache_{options_.query_cache_entries};
  std::atomic<unsigned> in_flight_{0};
  std::unique_ptr<DataManagement> dm_;    // after the catalog it writes to
  std::unique_ptr<HttpServer> dm_server_; // last: stopped first
};

} // namespace

Result<std::unique_ptr<KustoService>> KustoService::create(const KustoOptions& options) {
  auto service = std::make_unique<Service>(options);
  auto loaded = service->load();
  if (!loaded) return loaded.error();
  auto dm = service->start_data_management();
  if (!dm) return dm.error();
  return std::unique_ptr<KustoService>(std::move(service));
}

} // namespace konform::serve::kusto
