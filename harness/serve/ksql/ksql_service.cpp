// Initial ksqlDB service: /healthcheck and the 404 error form.
// (The full engine is being built in serve/ksql/; this file is its entry point.)
#include "serve/ksql/ksql_service.h"

#include "json/writer.h"

namespace konform::serve::ksql {
namespace {

class Service final : public KsqlService {
public:
  explicit Service(KsqlOptions o) : options_(std::move(o)) {}

  ServerResponse handle(const ServerRequest& req) override {
    if (req.path == "/healthcheck") {
      ServerResponse r;
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = R"({"isHealthy":true,"details":{"metastore":{"isHealthy":true},"kafka":{"isHealthy":true}}})";
      return r;
    }
    return error_response(404, "HTTP 404 Not Found");
  }

  ServerResponse error_response(int status, const std::string& message) override {
    ServerResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json");
    json::Writer w(r.body);
    w.begin_object().field("@type", "generic_error").field("error_code", status * 100);
    w.field("message", message).end_object();
    return r;
  }

private:
  KsqlOptions options_;
};

} // namespace

Result<std::unique_ptr<KsqlService>> KsqlService::create(const KsqlOptions& options) {
  return std::unique_ptr<KsqlService>(std::make_unique<Service>(options));
}

} // namespace konform::serve::ksql
