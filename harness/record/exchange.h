#pragma once
// One recorded HTTP exchange, as the recording proxy saw it or as a HAR file describes it: the
// input of the conversion into a scenario step and its golden file. Nothing here touches a
// socket, so the conversion is tested without one.
#include "core/result.h"
#include "http/message.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace konform::record {

class Sealer;

// A body held in memory, or on disk: a large body spooled to its own file once it grew past a
// threshold, or a finished exchange's body in its thread's spill file (the proxy keeps nothing
// of a finished exchange in memory).
struct Body {
  std::string bytes;        // the whole body when spool_file is empty
  std::string spool_file;   // otherwise: the file holding it,
  std::uint64_t offset = 0; // from this byte on
  std::uint64_t size = 0;
  std::shared_ptr<const Sealer> sealer; // set: the file's bytes are sealed (record/seal.h)
  std::uint64_t nonce = 0;              // the file's counter stream
};

// The body's bytes; a body on disk is read back and unsealed (at most max_bytes, else an error of
// kind "limit").
Result<std::string> load(const Body& body, std::size_t max_bytes = std::size_t(1) << 31);

// Which service an exchange belongs to: ksqlDB's REST paths are fixed (/ksql, /query, /status/..),
// everything else is Kusto.
enum class Service { kusto, ksql };
Service service_of(std::string_view target);

struct Exchange {
  std::string method = "GET";
  std::string target = "/"; // path and query as sent
  http::Headers request_headers;
  Body request_body; // as sent: a Content-Encoding is still applied
  int status = 0;
  http::Headers response_headers;
  Body response_body;            // de-chunked; Content-Encoding still applied unless decoded
  bool response_decoded = false; // HAR: content.text has the Content-Encoding undone already
  bool truncated = false;        // the stream was still open when the recording stopped
  std::chrono::milliseconds streamed{0}; // how long the response body was read
};

} // namespace konform::record

namespace konform::record {
// Removes the exchanges' spool and spill files (after the conversion has read them).
void discard_spool(const std::vector<Exchange>& exchanges);
} // namespace konform::record
