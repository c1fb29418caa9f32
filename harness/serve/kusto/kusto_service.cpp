// Initial Kusto service: ping, auth metadata, and OneAPI 404 for everything else.
// (The engine proper is being built in serve/kusto/; this file is its entry point.)
#include "serve/kusto/kusto_service.h"

#include "core/ids.h"
#include "json/writer.h"

namespace konform::serve::kusto {
namespace {

class Service final : public KustoService {
public:
  explicit Service(KustoOptions o) : options_(std::move(o)) {}

  ServerResponse handle(const ServerRequest& req) override {
    ServerResponse r;
    if (req.path == "/v1/rest/ping") {
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      r.body = "Pong! IP address: '" + req.remote + "'";
    } else {
      r = error_response(404, "The requested path '" + req.path + "' does not exist.");
    }
    stamp(req, r);
    return r;
  }

  ServerResponse error_response(int status, const std::string& message) override {
    ServerResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    std::string code = status == 404 ? "NotFound" : status == 413 ? "PayloadTooLarge"
                                                   : status == 431 ? "RequestHeaderFieldsTooLarge"
                                                                   : "BadRequest";
    json::Writer w(r.body);
    w.begin_object().key("error").begin_object();
    w.field("code", code).field("message", message).field("@type", "Kusto.Common.Svc.Exceptions." + code + "Exception");
    w.field("@message", message).key("@context").begin_object().end_object();
    w.field("@permanent", true).end_object().end_object();
    return r;
  }

private:
  static void stamp(const ServerRequest& req, ServerResponse& r) {
    auto crid = req.header("x-ms-client-request-id");
    r.headers.emplace_back("x-ms-client-request-id",
                           crid ? std::string(*crid) : "unspecified;" + ids::uuid4());
    r.headers.emplace_back("x-ms-activity-id", ids::uuid4());
  }

  KustoOptions options_;
};

} // namespace

Result<std::unique_ptr<KustoService>> KustoService::create(const KustoOptions& options) {
  return std::unique_ptr<KustoService>(std::make_unique<Service>(options));
}

} // namespace konform::serve::kusto
