#include "record/har.h"

#include "core/base64.h"
#include "core/file.h"
#include "http/url.h"
#include "json/document.h"
#include "scenario/source_map.h"

namespace konform::record {
namespace {

using simdjson::dom::element;
using Path = std::vector<json::PathStep>;

class HarReader {
public:
  HarReader(std::string_view text, const std::string& file, std::vector<std::string>* warnings)
      : text_(text), file_(file), warnings_(warnings) {}

  Result<std::vector<Exchange>> run() {
    auto doc = json::Document::parse(text_, file_);
    if (!doc)
      return make_error(doc.error().message + "; a HAR file is the JSON an HTTP Archive 1.2 "
                                              "export writes ({\"log\": {\"entries\": [...]}})",
                        ErrorKind::format);
    map_.emplace(text_);
    element root = doc->root();
    element log;
    if (!root.is_object() || root["log"].get(log) || !log.is_object())
      return fail({}, "not an HTTP Archive: the top level must be an object with \"log\"");
    std::string_view version;
    if (log["version"].get_string().get(version))
      return fail({key("log")}, "missing \"log.version\": an HTTP Archive 1.2 says \"1.2\"");
    if (version != "1.2")
      return fail({key("log"), key("version")},
                  "HAR version \"" + std::string(version) +
                      "\" is not supported; export an HTTP Archive 1.2");
    simdjson::dom::array entries;
    if (log["entries"].get_array().get(entries))
      return fail({key("log"), key("entries")}, "\"log.entries\" must be an array of entries");
    std::vector<Exchange> out;
    std::size_t i = 0;
    for (element entry : entries) {
      Path at{key("log"), key("entries"), index(i++)};
      auto e = exchange(entry, at);
      if (!e) return e.error();
      if (e->status == 0) {
        if (warnings_)
          warnings_->push_back(where(at) + ": entry without a response (status 0) skipped");
        continue;
      }
      out.push_back(std::move(*e));
    }
    return out;
  }

private:
  static json::PathStep key(std::string k) { return {std::move(k), 0, false}; }
  static json::PathStep index(std::size_t i) { return {"", i, true}; }

  std::string where(const Path& path) const {
    auto loc = map_->location(map_->value_offset(path));
    return file_ + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }
  Error fail(const Path& path, const std::string& message) const {
    return make_error(where(path) + ": " + message, ErrorKind::format);
  }

  Path with(Path p, json::PathStep s) const {
    p.push_back(std::move(s));
    return p;
  }

  Result<std::string> string_at(element object, std::string_view name, const Path& at,
                                const std::string& what) {
    std::string_view v;
    if (object[name].get_string().get(v)) return fail(with(at, key(std::string(name))), what);
    return std::string(v);
  }

  Result<http::Headers> headers(element object, const Path& at) {
    http::Headers out;
    simdjson::dom::array array;
    Path here = with(at, key("headers"));
    if (object["headers"].get_array().get(array))
      return fail(here, "\"headers\" must be an array of {\"name\": ..., \"value\": ...}");
    std::size_t i = 0;
    for (element h : array) {
      Path hp = with(here, index(i++));
      std::string_view name, value;
      if (h["name"].get_string().get(name) || h["value"].get_string().get(value))
        return fail(hp, "a header is {\"name\": \"...\", \"value\": \"...\"} with string values");
      out.emplace_back(std::string(name), std::string(value));
    }
    return out;
  }

  // postData / content: text, possibly base64.
  Result<std::string> body_text(element object, const Path& at) {
    std::string_view text;
    auto t = object["text"];
    if (t.error() == simdjson::NO_SUCH_FIELD) return std::string();
    if (t.get_string().get(text))
      return fail(with(at, key("text")), "\"text\" must be a string (the body)");
    std::string_view encoding;
    if (!object["encoding"].get_string().get(encoding) ||
        !object["_encoding"].get_string().get(encoding)) {
      if (encoding != "base64")
        return fail(with(at, key("encoding")), "unsupported \"encoding\" \"" +
                                                   std::string(encoding) +
                                                   "\": HAR bodies are plain text or base64");
      auto decoded = base64::decode(text);
      if (!decoded)
        return fail(with(at, key("text")),
                    "\"text\" says base64 but does not decode: " + decoded.error().message);
      return std::move(*decoded);
    }
    return std::string(text);
  }

  Result<Exchange> exchange(element entry, const Path& at) {
    Exchange e;
    element request, response;
    if (!entry.is_object()) return fail(at, "an entry must be an object with request and response");
    if (entry["request"].get(request) || !request.is_object())
      return fail(with(at, key("request")), "an entry needs a \"request\" object");
    if (entry["response"].get(response) || !response.is_object())
      return fail(with(at, key("response")), "an entry needs a \"response\" object");
    Path rq = with(at, key("request")), rs = with(at, key("response"));

    auto method = string_at(request, "method", rq, "\"method\" must be a string such as \"POST\"");
    if (!method) return method.error();
    e.method = *method;
    auto url = string_at(request, "url", rq, "\"url\" must be the request's absolute URL");
    if (!url) return url.error();
    auto parsed = http::parse_url(*url);
    if (!parsed) return fail(with(rq, key("url")), parsed.error().message);
    e.target = parsed->target;
    auto rh = headers(request, rq);
    if (!rh) return rh.error();
    e.request_headers = std::move(*rh);
    element post;
    if (!request["postData"].get(post)) {
      if (!post.is_object())
        return fail(with(rq, key("postData")), "\"postData\" must be an object with \"text\"");
      auto body = body_text(post, with(rq, key("postData")));
      if (!body) return body.error();
      e.request_body.bytes = std::move(*body);
      e.request_body.size = e.request_body.bytes.size();
    }

    int64_t status = 0;
    if (response["status"].get_int64().get(status) || status < 0 || status > 999)
      return fail(with(rs, key("status")), "\"status\" must be the HTTP status code, a number");
    e.status = static_cast<int>(status);
    auto sh = headers(response, rs);
    if (!sh) return sh.error();
    e.response_headers = std::move(*sh);
    element content;
    if (response["content"].get(content) || !content.is_object())
      return fail(with(rs, key("content")), "a response needs a \"content\" object");
    auto body = body_text(content, with(rs, key("content")));
    if (!body) return body.error();
    e.response_body.bytes = std::move(*body);
    e.response_body.size = e.response_body.bytes.size();
    e.response_decoded = true;
    return e;
  }

  std::string_view text_;
  std::string file_;
  std::vector<std::string>* warnings_;
  std::optional<scenario::SourceMap> map_;
};

} // namespace

Result<std::vector<Exchange>> parse_har(std::string_view text, const std::string& file,
                                        std::vector<std::string>* warnings) {
  return HarReader(text, file, warnings).run();
}

Result<std::vector<Exchange>> load_har(const std::string& file, std::vector<std::string>* warnings,
                                       std::size_t max_bytes) {
  auto text = file::read_regular(file, max_bytes);
  if (!text) return make_error(text.error().message, ErrorKind::format);
  return parse_har(*text, file, warnings);
}

} // namespace konform::record
