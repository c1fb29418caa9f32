#include "serve/kusto/oneapi_error.h"

#include "json/writer.h"
#include "serve/kusto/cluster/value.h"

#include <unistd.h>

#include <thread>

namespace konform::serve::kusto {
namespace {

void context(json::Writer& w, const RequestIds& ids, std::string_view activity_type,
             const std::string& timestamp) {
  w.key("@context").begin_object();
  w.field("timestamp", timestamp)
      .field("serviceAlias", "KONFORM")
      .field("machineName", "KEngine000000")
      .field("processName", "konform")
      .field("processId", static_cast<std::int64_t>(::getpid()))
      .field("threadId", static_cast<std::int64_t>(
                             std::hash<std::thread::id>{}(std::this_thread::get_id()) % 100000))
      .field("clientRequestId", ids.client_request_id)
      .field("activityId", ids.activity_id)
      .field("subActivityId", ids.activity_id)
      .field("activityType", activity_type)
      .field("parentActivityId", ids.activity_id)
      .field("activityStack", "(Activity stack: CRID=" + ids.client_request_id +
                                  " ARID=" + ids.activity_id + " > " + std::string(activity_type) +
                                  "/" + ids.activity_id + ")");
  w.end_object();
}

} // namespace

void append_oneapi_error(std::string& out, const cluster::Failure& f, const RequestIds& ids,
                         std::string_view activity_type) {
  std::string timestamp = cluster::format_datetime(cluster::now_ticks());
  json::Writer w(out);
  w.begin_object().key("error").begin_object();
  w.field("code", f.code).field("message", f.message).field("@type", f.type);
  w.field("@message", f.detail.empty() ? f.message : f.detail);
  context(w, ids, activity_type, timestamp);
  w.field("@permanent", f.permanent);
  if (!f.text.empty()) w.field("@text", f.text);
  if (!f.database.empty()) w.field("@database", f.database);
  if (f.inner) {
    w.field("@ClientRequestLogger", "");
    const auto& in = *f.inner;
    w.key("innererror").begin_object();
    w.field("code", in.code).field("message", in.message).field("@type", in.type);
    w.field("@message", in.detail);
    context(w, ids, activity_type, timestamp);
    w.field("@permanent", f.permanent);
    if (in.line > 0) {
      w.field("@line", std::to_string(in.line)).field("@pos", std::to_string(in.pos));
    }
    w.field("@errorCode", in.code).field("@errorMessage", in.message);
    if (!in.token.empty()) w.field("@token", in.token);
    w.end_object();
  }
  w.end_object().end_object();
}

cluster::Failure truncation_failure(std::size_t limit) {
  cluster::Failure f;
  f.code = "LimitsExceeded";
  f.type = "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException";
  f.detail = "Query execution has exceeded the allowed limits (80DA0003): The results of this "
             "query exceed the set limit of " +
             std::to_string(limit) +
             " records, so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, "
             "0x80DA0003). See https://aka.ms/kustoquerylimits for more information and possible "
             "solutions..";
  f.permanent = false;
  return f;
}

} // namespace konform::serve::kusto
