#pragma once
// Turning a LoadResult into what people and machines read: the wrk-like summary table, the
// versioned JSON result, and the live progress line. Pure functions; the CLI prints them.
#include "json/writer.h"
#include "load/result.h"

#include <string>

namespace konform::load {

// "850us", "1.23ms", "2.50s"
std::string format_latency(double micros);

std::string summary_text(const LoadResult& result);

// Versioned JSON ("version": 1): settings, requests, duration, rps, corrected and uncorrected
// latency percentiles in µs, schedule lag, per-step stats, status codes and errors.
std::string to_json(const LoadResult& result);

// The "requests", "bytes", "status" and "errors" members of a counters object: shared by the
// JSON result and the summary embedded in .hlog files, so `merge` reads what `load` writes.
void write_counters(json::Writer& w, const Counters& counters);

// When no request got a response: what did happen instead (connect errors, answers that were not
// HTTP, closes, timeouts, requests still unanswered at the end of the duration) and what to check,
// for the CLI to print before exiting with "runtime failure". Empty when some response came, or
// when nothing was attempted.
std::string no_response_diagnosis(const LoadResult& result, const std::string& origin);

// One line, no terminal control codes, so it reads the same in a CI log.
std::string live_line(const LiveSample& sample);

} // namespace konform::load
