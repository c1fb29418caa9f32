#include "protocol/validate_files.h"

#include "core/base64.h"
#include "core/text.h"
#include "json/document.h"
#include "json/locate.h"
#include "json/writer.h"

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace konform::protocol {
namespace {

// Reads a file with spare capacity for simdjson's padding, so that a gigabyte body is validated
// in place instead of being copied.
Result<std::string> read_padded(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status))
    return make_error(path + ": is a directory, expected a file");
  // A FIFO or a device has no size to read up to (and /dev/zero no end): saved responses are
  // regular files.
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    return make_error(path + ": is not a regular file (a device, FIFO or socket); save the "
                             "response to a file first");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return make_error(path + ": cannot open (" + std::strerror(errno) + ")");
  auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  std::string body;
  body.reserve(size + simdjson::SIMDJSON_PADDING);
  body.resize(size);
  if (size && !in.read(body.data(), static_cast<std::streamsize>(size)))
    return make_error(path + ": read failed (" + std::strerror(errno) + ")");
  return body;
}

// A recorded exchange, when the file is one.
struct Recorded {
  int status = 0;
  http::Headers headers;
  http::Headers request_headers;
  std::string request_accept;
  std::string body;
};

std::optional<Result<Recorded>> recorded_exchange(std::string_view text, const std::string& file,
                                                  std::size_t max_body) {
  // Cheap test first: the marker must appear near the start.
  if (text.substr(0, 256).find("\"konform_exchange\"") == std::string_view::npos)
    return std::nullopt;
  auto doc = json::Document::parse(text, file);
  if (!doc) return Result<Recorded>(doc.error());
  simdjson::dom::object o;
  if (doc->root().get_object().get(o) || o["konform_exchange"].error()) return std::nullopt;
  Recorded r;
  auto fail = [&](const std::string& field, const std::string& what) {
    auto loc = json::locate_path(text, std::vector<json::PathStep>{{field, 0, false}});
    return Result<Recorded>(make_error(file + ":" + std::to_string(loc.line) + ":" +
                                       std::to_string(loc.column) +
                                       ": recorded exchange: " + what));
  };
  std::int64_t status = 0;
  if (o["status"].get_int64().get(status) || status < 100 || status > 599)
    return fail("status", "\"status\" must be the HTTP status code, an integer from 100 to 599");
  r.status = static_cast<int>(status);
  auto headers = [&](std::string_view key, http::Headers& out) -> bool {
    auto v = o[key];
    if (v.error() == simdjson::NO_SUCH_FIELD) return true;
    simdjson::dom::object h;
    if (v.get_object().get(h)) return false;
    for (auto [name, value] : h) {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      out.emplace_back(std::string(name), std::string(s));
    }
    return true;
  };
  if (!headers("headers", r.headers))
    return fail("headers", "\"headers\" must be an object of string values");
  if (!headers("request_headers", r.request_headers))
    return fail("request_headers", "\"request_headers\" must be an object of string values");
  std::string_view s;
  if (!o["request_accept"].get_string().get(s)) r.request_accept = s;
  if (!o["body"].get_string().get(s)) {
    r.body = s;
  } else if (!o["body_base64"].get_string().get(s)) {
    auto decoded = base64::decode(s);
    if (!decoded)
      return fail("body_base64", "\"body_base64\" is not base64: " + decoded.error().message);
    r.body = std::move(*decoded);
  } else {
    return fail("body", "a recorded exchange needs \"body\" (text) or \"body_base64\"");
  }
  http::Response response;
  response.status = r.status;
  response.headers = r.headers;
  response.body = std::move(r.body);
  auto decoded = http::decoded_body(response, max_body);
  if (!decoded.error.empty())
    return fail("headers",
                "the body does not decode as its Content-Encoding says: " + decoded.error);
  r.body = std::move(decoded.text);
  return Result<Recorded>(std::move(r));
}

void escape_control(std::string& out, std::string_view s) {
  for (char c : s)
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
}

} // namespace

std::size_t FileResult::count(Level level) const {
  std::size_t n = 0;
  for (const auto& f : findings)
    n += f.level == level;
  return n;
}

FileResult validate_file(const std::string& path, std::optional<Kind> as, std::size_t max_body) {
  FileResult result;
  result.file = path;
  auto body = read_padded(path);
  if (!body) {
    result.input_error = body.error().message;
    return result;
  }
  Exchange exchange;
  Recorded recorded;
  if (auto rec = recorded_exchange(*body, path, max_body)) {
    if (!*rec) {
      result.input_error = rec->error().message;
      return result;
    }
    recorded = std::move(rec->value());
    result.exchange = true;
    exchange.status = recorded.status;
    exchange.headers = &recorded.headers;
    if (!recorded.request_headers.empty()) exchange.request_headers = &recorded.request_headers;
    exchange.request_accept = recorded.request_accept;
    *body = std::move(recorded.body);
  }
  result.kind = as ? as : detect_kind(*body);
  result.detected = !as;
  if (!result.kind) {
    result.input_error = path + ": cannot tell what this body is (empty, or no known protocol); "
                                "name it with --as KIND";
    return result;
  }
  result.findings = validate_in_place(*result.kind, *body, exchange);
  // Not JSON where JSON is needed is bad input (exit 2) with its line:column; a body that is
  // valid up to its end but stops early is a truncated response, which stays a violation. The
  // on-demand walk is lazy about values it skips, so the strict scanner decides, and only runs
  // when something was already found wrong.
  if (*result.kind == Kind::text || *result.kind == Kind::ksql_stream ||
      result.count(Level::violation) == 0)
    return result;
  if ((*result.kind == Kind::kusto_error || *result.kind == Kind::ksql_error) &&
      !text::trim(*body).empty() && text::trim(*body).front() != '{' &&
      text::trim(*body).front() != '[')
    return result; // plain-text error bodies are allowed (a warning)
  std::string_view text = *body;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  auto where = json::locate_error(text);
  if (!where) return result;
  auto end = json::location_of_offset(text, text.size());
  if (where->line == end.line && where->column == end.column)
    return result; // truncated: the violation says so
  result.input_error = path + ":" + std::to_string(where->line) + ":" +
                       std::to_string(where->column) + ": not valid JSON (" + where->what +
                       "); a " + std::string(to_string(*result.kind)) +
                       " body must be JSON; fix or re-record the file";
  return result;
}

std::string_view verdict(const FileResult& r) {
  if (!r.input_error.empty()) return "unreadable";
  if (r.count(Level::violation)) return "violation";
  if (r.count(Level::in_band_error)) return "in-band-error";
  return "conformant";
}

std::string render_text(const FileResult& r) {
  std::string out = r.file + ": ";
  if (!r.input_error.empty()) return out + "unreadable: " + r.input_error + "\n";
  out += std::string(to_string(*r.kind)) + (r.detected ? " (detected)" : "") +
         (r.exchange ? ", recorded exchange" : "") + ": " + std::string(verdict(r)) + " (" +
         std::to_string(r.count(Level::violation)) + " violations, " +
         std::to_string(r.count(Level::in_band_error)) + " in-band errors, " +
         std::to_string(r.count(Level::warning)) + " warnings)\n";
  for (const auto& f : r.findings) {
    out += "  " + std::string(to_string(f.level)) + " " + f.rule + " at " +
           (f.path.empty() ? std::string("HTTP") : f.path) + ": ";
    escape_control(out, f.message);
    out += "\n";
  }
  return out;
}

std::string render_json(const std::vector<FileResult>& results, int exit_code) {
  std::string out;
  json::Writer w(out, 2);
  std::size_t totals[3] = {0, 0, 0}, unreadable = 0;
  w.begin_object();
  w.field("format", "konform.validate").field("version", 1).field("exit_code", exit_code);
  w.key("files").begin_array();
  for (const auto& r : results) {
    w.begin_object().field("file", r.file).field("verdict", std::string(verdict(r)));
    if (r.kind) w.field("kind", std::string(to_string(*r.kind))).field("detected", r.detected);
    w.field("recorded_exchange", r.exchange);
    if (!r.input_error.empty()) {
      ++unreadable;
      w.field("error", r.input_error);
    }
    w.key("findings").begin_array();
    for (const auto& f : r.findings) {
      ++totals[static_cast<int>(f.level)];
      w.begin_object()
          .field("level", std::string(to_string(f.level)))
          .field("rule", f.rule)
          .field("path", f.path)
          .field("message", f.message)
          .end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  w.key("summary")
      .begin_object()
      .field("files", static_cast<std::uint64_t>(results.size()))
      .field("unreadable", static_cast<std::uint64_t>(unreadable))
      .field("violations", static_cast<std::uint64_t>(totals[0]))
      .field("in_band_errors", static_cast<std::uint64_t>(totals[1]))
      .field("warnings", static_cast<std::uint64_t>(totals[2]))
      .end_object();
  w.end_object();
  out += "\n";
  return out;
}

} // namespace konform::protocol
