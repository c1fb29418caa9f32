#include "serve/reference_endpoint.h"

#include "core/text.h"

namespace konform::serve {

Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return make_error("'" + text + "' is not host:port (an IPv6 host is written [::1]:8080)");
    host = text.substr(1, close - 1);
    port_text = std::string_view(text).substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
      return make_error("'" + text + "' is not host:port (for example 127.0.0.1:8080)");
    host = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
  }
  auto port = text::parse_int(port_text);
  if (!port || *port < 0 || *port > 65535)
    return make_error("'" + text + "': the port must be a number from 0 to 65535");
  return std::pair{host, static_cast<std::uint16_t>(*port)};
}

Result<std::unique_ptr<ReferenceEndpoint>> ReferenceEndpoint::start(EndpointOptions options) {
  std::unique_ptr<ReferenceEndpoint> ep(new ReferenceEndpoint);
  auto kusto = kusto::KustoService::create(options.kusto);
  if (!kusto) return kusto.error();
  ep->kusto_ = std::move(kusto.value());
  auto ksql = ksql::KsqlService::create(options.ksql);
  if (!ksql) return ksql.error();
  ep->ksql_ = std::move(ksql.value());

  auto make = [&](const std::string& listen, const std::string& name,
                  auto* service) -> Result<std::unique_ptr<HttpServer>> {
    auto addr = parse_listen(listen);
    if (!addr) return addr.error();
    ServerOptions so;
    so.name = name;
    so.address = addr->first;
    so.port = addr->second;
    so.threads = options.threads;
    so.access_log = options.access_log;
    so.error_log = options.error_log;
    if (name == "ksql") so.stream_request_body = ksql::KsqlService::streams_request_body;
    so.error_response = [service](int status, const std::string& message) {
      return service->error_response(status, message);
    };
    auto server = std::make_unique<HttpServer>(
        so, [service](const ServerRequest& r) { return service->handle(r); });
    auto started = server->start();
    if (!started) return make_error(name + " listener: " + started.error().message);
    return server;
  };
  auto ks = make(options.kusto_listen, "kusto", ep->kusto_.get());
  if (!ks) return ks.error();
  ep->kusto_server_ = std::move(ks.value());
  auto qs = make(options.ksql_listen, "ksql", ep->ksql_.get());
  if (!qs) return qs.error();
  ep->ksql_server_ = std::move(qs.value());
  return ep;
}

ReferenceEndpoint::~ReferenceEndpoint() {
  stop();
}

void ReferenceEndpoint::stop() {
  // Servers first: no handler may run once the services are gone.
  if (kusto_server_) kusto_server_->stop();
  if (ksql_server_) ksql_server_->stop();
}

std::string ReferenceEndpoint::kusto_url() const {
  return kusto_server_->url();
}
std::string ReferenceEndpoint::ksql_url() const {
  return ksql_server_->url();
}

} // namespace konform::serve
