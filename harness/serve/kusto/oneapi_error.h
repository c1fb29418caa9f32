#pragma once
// The OneAPI error body ({"error":{code, message, @type, @message, @context, @permanent, ...}})
// exactly as the service writes it (a recorded 400 of a real cluster has these fields in this
// order), for HTTP errors and partial failures alike.
#include "serve/kusto/cluster/failure.h"

#include <string>
#include <string_view>

namespace konform::serve::kusto {

// The identifiers of one request, repeated in headers, error contexts and status tables.
struct RequestIds {
  std::string client_request_id; // echoed, or "unspecified;<guid>"
  std::string activity_id;       // fresh per response
};

// Appends {"error":{...}} (activity_type: "DN.FE.ExecuteQuery", "DN.AdminCommand...", ...).
void append_oneapi_error(std::string& out, const cluster::Failure& failure, const RequestIds& ids,
                         std::string_view activity_type);

// The partial-failure error the service reports when a result is cut by truncationmaxrecords.
cluster::Failure truncation_failure(std::size_t limit);

} // namespace konform::serve::kusto
