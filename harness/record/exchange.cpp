#include "record/exchange.h"

#include "record/seal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace konform::record {

Result<std::string> load(const Body& body, std::size_t max_bytes) {
  if (body.spool_file.empty()) return body.bytes;
  if (body.size > max_bytes)
    return make_error(body.spool_file + ": a recorded body of " + std::to_string(body.size) +
                          " bytes is over the limit of " + std::to_string(max_bytes),
                      ErrorKind::limit);
  int fd = ::open(body.spool_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(body.spool_file + ": cannot open: " + std::strerror(errno));
  std::string out(body.size, '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r =
        ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(body.offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      std::string why = r < 0 ? std::strerror(errno) : "the file is shorter than recorded";
      ::close(fd);
      return make_error(body.spool_file + ": cannot read a recorded body back: " + why);
    }
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (body.sealer && !body.sealer->apply(body.nonce, body.offset, out.data(), out.size()))
    return make_error(body.spool_file + ": cannot unseal a recorded body (OpenSSL)");
  return out;
}

Service service_of(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  // The ksqlDB server's resources (research/ksql-protocol.md §2); Kusto's all live under /v1, /v2
  // or are /, /v1/rest/ping, /v1/rest/auth/metadata.
  constexpr std::string_view exact[] = {
      "/ksql",          "/ksql/terminate", "/query", "/query-stream",
      "/close-query",   "/inserts-stream", "/info",  "/healthcheck",
      "/clusterStatus", "/heartbeat",      "/lag"};
  for (auto e : exact)
    if (path == e) return Service::ksql;
  if (path.rfind("/status/", 0) == 0 || path == "/status" ||
      path.rfind("/is_valid_property/", 0) == 0)
    return Service::ksql;
  return Service::kusto;
}

} // namespace konform::record

namespace konform::record {
void discard_spool(const std::vector<Exchange>& exchanges) {
  std::set<std::string> files; // a spill file holds many bodies
  for (const auto& e : exchanges)
    for (const Body* b : {&e.request_body, &e.response_body})
      if (!b->spool_file.empty()) files.insert(b->spool_file);
  for (const auto& f : files)
    ::unlink(f.c_str());
}
} // namespace konform::record
