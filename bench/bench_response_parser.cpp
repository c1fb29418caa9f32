// The load engine's per-response parsing cost: one nginx static-file response (the load_vs_wrk.sh
// workload, read whole in one recv) and a chunked one, as the worker feeds them on one keep-alive
// connection: the header block repeats, so after the first response it is matched, not parsed.
// The "EveryDateDiffers" case alternates two Date values, so every header block is parsed.
#include "load/response_parser.h"

#include <benchmark/benchmark.h>

#include <string>

namespace {

const std::string nginx_small = "HTTP/1.1 200 OK\r\n"
                                "Server: nginx/1.22.1\r\n"
                                "Date: Sun, 22 Nov 2026 01:19:22 GMT\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: 11\r\n"
                                "Last-Modified: Sun, 22 Nov 2026 00:59:13 GMT\r\n"
                                "Connection: keep-alive\r\n"
                                "ETag: \"6b023e61-b\"\r\n"
                                "Accept-Ranges: bytes\r\n"
                                "\r\n"
                                "{\"ok\":true}";

const std::string chunked = "HTTP/1.1 200 OK\r\n"
                            "Content-Type: application/json; charset=utf-8\r\n"
                            "Transfer-Encoding: chunked\r\n"
                            "Connection: keep-alive\r\n"
                            "\r\n"
                            "1a\r\n{\"Tables\":[{\"TableName\":1}\r\n"
                            "2\r\n]}\r\n"
                            "0\r\n\r\n";

void parse(benchmark::State& state, const std::string& response) {
  konform::load::ResponseParser parser;
  for (auto _ : state) {
    parser.reset();
    benchmark::DoNotOptimize(parser.feed(response.data(), response.size()));
    if (!parser.done()) state.SkipWithError("the response did not parse");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(response.size()));
}

void BM_ParseNginxStaticResponse(benchmark::State& state) {
  parse(state, nginx_small);
}
BENCHMARK(BM_ParseNginxStaticResponse);

void BM_ParseNginxStaticResponseEveryDateDiffers(benchmark::State& state) {
  std::string other = nginx_small;
  other[other.find("22 GMT")] = '3';
  konform::load::ResponseParser parser;
  bool flip = false;
  for (auto _ : state) {
    const std::string& response = (flip = !flip) ? nginx_small : other;
    parser.reset();
    benchmark::DoNotOptimize(parser.feed(response.data(), response.size()));
    if (!parser.done()) state.SkipWithError("the response did not parse");
  }
  if (parser.header_memo_hits() != 0) state.SkipWithError("a changed Date was matched");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseNginxStaticResponseEveryDateDiffers);

void BM_ParseChunkedResponse(benchmark::State& state) {
  parse(state, chunked);
}
BENCHMARK(BM_ParseChunkedResponse);

} // namespace

BENCHMARK_MAIN();
