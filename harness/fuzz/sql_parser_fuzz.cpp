// The ksqlDB SQL parser behind /ksql, /query and /query-stream: any text is statements or a
// SyntaxError (serve/ksql/sql_parser.h), never a crash, however deeply it nests.
#include "fuzz/fuzz_input.h"
#include "serve/ksql/sql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)konform::serve::ksql::parse_statements(konform::fuzz::as_text(data, size));
  return 0;
}
