#pragma once
// `konform load`'s run: starts one worker per thread, collects their interval data once a
// second (live line, .hlog) and merges everything into one LoadResult at the end.
#include "core/result.h"
#include "load/options.h"
#include "load/result.h"

namespace konform::load {

// Runs the load described by `options` (blocking). Errors only for what prevents a run at all
// (no steps, unresolvable host, bad numbers); failed requests are counted in the result.
Result<LoadResult> run_load(const LoadOptions& options);

} // namespace konform::load
