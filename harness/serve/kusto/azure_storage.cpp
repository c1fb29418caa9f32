#include "serve/kusto/azure_storage.h"

#include "core/text.h"
#include "serve/kusto/cluster/value.h"

namespace konform::serve::kusto {
namespace {

// The text of the first <tag>...</tag> at or after `from`.
std::optional<std::string> xml_value(std::string_view xml, std::string_view tag,
                                     std::size_t from = 0) {
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  auto a = xml.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  auto b = xml.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  return std::string(xml.substr(a, b - a));
}

std::string xml_unescape(std::string s) {
  static const std::pair<std::string_view, char> entities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  for (auto [entity, c] : entities) {
    for (std::size_t at = s.find(entity); at != std::string::npos; at = s.find(entity, at + 1))
      s.replace(at, entity.size(), 1, c);
  }
  return s;
}

Status expect(const Result<http::Response>& r, std::initializer_list<int> ok,
              std::string_view what) {
  if (!r) return make_error(std::string(what) + ": " + r.error().message, r.error().kind);
  for (int s : ok)
    if (r->status == s) return Ok{};
  return make_error(std::string(what) + ": Azure Storage answered " + std::to_string(r->status) +
                    " " + r->body.substr(0, 300));
}

} // namespace

Result<std::unique_ptr<AzureStorage>> AzureStorage::connect(StorageOptions o) {
  auto blob = http::parse_url(o.blob_url);
  if (!blob) return make_error("--azurite-blob: " + blob.error().message);
  auto queue = http::parse_url(o.queue_url);
  if (!queue) return make_error("--azurite-queue: " + queue.error().message);
  std::optional<http::Url> table;
  if (!o.table_url.empty()) {
    auto t = http::parse_url(o.table_url);
    if (!t) return make_error("--azurite-table: " + t.error().message);
    table = *t;
  }
  std::unique_ptr<AzureStorage> s(new AzureStorage(std::move(o)));
  s->blob_ = *blob;
  s->queue_ = *queue;
  http::ClientOptions co;
  co.timeout = std::chrono::milliseconds(10000);
  co.max_body = s->options_.max_blob;
  co.ca_file = s->options_.ca_file;
  s->blob_client_ = std::make_unique<http::Client>(*blob, co);
  s->queue_client_ = std::make_unique<http::Client>(*queue, co);
  if (table) {
    s->table_ = *table;
    s->table_client_ = std::make_unique<http::Client>(*table, co);
  }
  return s;
}

Result<std::string> AzureStorage::own_sas() {
  auto now = cluster::now_ticks();
  if (own_sas_.empty() || now > own_sas_until_) {
    auto sas = sas::account_sas(options_.account, table_client_ ? "bqt" : "bq", "sco", "rwdlacup",
                                sas::expiry_in(3600));
    if (!sas) return sas.error();
    own_sas_ = *sas;
    own_sas_until_ = now + 1800 * cluster::ticks_per_second;
  }
  return own_sas_;
}

Result<http::Response> AzureStorage::send(http::Client& client, http::Request request) {
  request.headers.emplace_back("x-ms-version", std::string(sas::version));
  return client.send(request);
}

Status AzureStorage::create_container(const std::string& name) {
  auto s = own_sas();
  if (!s) return s.error();
  auto r =
      send(*blob_client_,
           {"PUT", "/" + options_.account.name + "/" + name + "?restype=container&" + *s, {}, ""});
  return expect(r, {201, 409}, "creating container '" + name + "'");
}

Status AzureStorage::create_queue(const std::string& name) {
  auto s = own_sas();
  if (!s) return s.error();
  auto r =
      send(*queue_client_, {"PUT", "/" + options_.account.name + "/" + name + "?" + *s, {}, ""});
  return expect(r, {201, 204}, "creating queue '" + name + "'");
}

Result<std::vector<QueueMessage>> AzureStorage::receive(const std::string& queue, int max,
                                                        int visibility) {
  auto s = own_sas();
  if (!s) return s.error();
  auto r = send(*queue_client_, {"GET",
                                 "/" + options_.account.name + "/" + queue +
                                     "/messages?numofmessages=" + std::to_string(max) +
                                     "&visibilitytimeout=" + std::to_string(visibility) + "&" + *s,
                                 {},
                                 ""});
  if (auto ok = expect(r, {200}, "reading queue '" + queue + "'"); !ok) return ok.error();
  std::vector<QueueMessage> out;
  std::string_view xml = r->body;
  for (std::size_t at = xml.find("<QueueMessage>"); at != std::string_view::npos;
       at = xml.find("<QueueMessage>", at + 1)) {
    QueueMessage m;
    m.id = xml_value(xml, "MessageId", at).value_or("");
    m.pop_receipt = xml_unescape(xml_value(xml, "PopReceipt", at).value_or(""));
    m.text = xml_unescape(xml_value(xml, "MessageText", at).value_or(""));
    m.dequeue_count = static_cast<int>(
        text::parse_int(xml_value(xml, "DequeueCount", at).value_or("1")).value_or(1));
    out.push_back(std::move(m));
  }
  return out;
}

Status AzureStorage::delete_message(const std::string& queue, const QueueMessage& m) {
  auto s = own_sas();
  if (!s) return s.error();
  auto r = send(*queue_client_, {"DELETE",
                                 "/" + options_.account.name + "/" + queue + "/messages/" + m.id +
                                     "?popreceipt=" + text::url_encode(m.pop_receipt) + "&" + *s,
                                 {},
                                 ""});
  return expect(r, {204}, "deleting a message of queue '" + queue + "'");
}

Status AzureStorage::put_message(const std::string& queue, const std::string& text_value) {
  auto s = own_sas();
  if (!s) return s.error();
  std::string body = "<QueueMessage><MessageText>" + text_value + "</MessageText></QueueMessage>";
  auto r = send(*queue_client_, {"POST",
                                 "/" + options_.account.name + "/" + queue + "/messages?" + *s,
                                 {{"Content-Type", "application/xml"}},
                                 body});
  return expect(r, {201}, "posting to queue '" + queue + "'");
}

namespace {

// The OData headers the table service wants for JSON bodies.
std::vector<std::pair<std::string, std::string>> table_headers() {
  return {{"Accept", "application/json;odata=nometadata"},
          {"Content-Type", "application/json"},
          {"DataServiceVersion", "3.0"},
          {"MaxDataServiceVersion", "3.0;NetFx"}};
}

// A key inside an entity address: quotes doubled (OData), then URL-encoded.
std::string entity_key(const std::string& key) {
  std::string quoted;
  for (char c : key) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return text::url_encode(quoted);
}

} // namespace

Status AzureStorage::create_table(const std::string& name) {
  if (!table_client_) return make_error("no table endpoint configured (--azurite-table)");
  auto s = own_sas();
  if (!s) return s.error();
  auto r = send(*table_client_, {"POST", "/" + options_.account.name + "/Tables?" + *s,
                                 table_headers(), "{\"TableName\":\"" + name + "\"}"});
  return expect(r, {201, 204, 409}, "creating table '" + name + "'");
}

Status AzureStorage::merge_entity(const std::string& table, const std::string& partition_key,
                                  const std::string& row_key, const std::string& properties) {
  if (!table_client_) return make_error("no table endpoint configured (--azurite-table)");
  auto s = own_sas();
  if (!s) return s.error();
  // MERGE without If-Match: insert-or-merge, so the fields the SDK wrote (Pending) stay unless
  // replaced, and a record the SDK failed to write is still created.
  http::Request request{"MERGE",
                        "/" + options_.account.name + "/" + table + "(PartitionKey='" +
                            entity_key(partition_key) + "',RowKey='" + entity_key(row_key) + "')?" +
                            *s,
                        table_headers(), properties};
  auto r = send(*table_client_, request);
  // Azurite closes a TLS connection idle for 5 s and the client sees that only as a truncated
  // read ("stream truncated"): the status stayed Pending forever. MERGE is idempotent, so a
  // failed transport is retried once on a new connection.
  if (!r && (r.error().kind == ErrorKind::read || r.error().kind == ErrorKind::write))
    r = send(*table_client_, request);
  return expect(r, {204},
                "updating the status of '" + partition_key + "' in table '" + table + "'");
}

Result<std::string> AzureStorage::download(const std::string& url) {
  auto u = http::parse_url(url);
  if (!u) return make_error("BlobPath is not a URL: " + u.error().message);
  if (u->host != blob_.host || u->port != blob_.port || u->tls != blob_.tls)
    return make_error("BlobPath '" + sas::redact(url) +
                      "' is not on the configured blob endpoint " + blob_.origin() +
                      "; konform serve only reads blobs from there");
  auto r = send(*blob_client_, {"GET", u->target, {}, ""});
  if (auto ok = expect(r, {200}, "downloading blob '" + sas::redact(url) + "'"); !ok)
    return ok.error();
  return std::move(r->body);
}

Result<std::string> AzureStorage::container_url(const std::string& name,
                                                std::int64_t seconds) const {
  auto s = sas::container_sas(options_.account, name, "racwdl", sas::expiry_in(seconds));
  if (!s) return s.error();
  return blob_.origin() + "/" + options_.account.name + "/" + name + "?" + *s;
}

Result<std::string> AzureStorage::queue_url(const std::string& name, std::string_view permissions,
                                            std::int64_t seconds) const {
  auto s = sas::queue_sas(options_.account, name, permissions, sas::expiry_in(seconds));
  if (!s) return s.error();
  return queue_.origin() + "/" + options_.account.name + "/" + name + "?" + *s;
}

Result<std::string> AzureStorage::table_url(const std::string& name, std::string_view permissions,
                                            std::int64_t seconds) const {
  if (!table_client_) return make_error("no table endpoint configured (--azurite-table)");
  auto s = sas::table_sas(options_.account, name, permissions, sas::expiry_in(seconds));
  if (!s) return s.error();
  return table_.origin() + "/" + options_.account.name + "/" + name + "?" + *s;
}

} // namespace konform::serve::kusto
