#pragma once
// Every protocol kind a selector byte can pick (validate and compare targets).
#include "protocol/validate.h"

#include <array>
#include <cstdint>

namespace konform::fuzz {

using protocol::Kind;
inline constexpr std::array kAllKinds = {Kind::kusto_v1,
                                         Kind::kusto_v2,
                                         Kind::kusto_error,
                                         Kind::kusto_ingest,
                                         Kind::ksql_entities,
                                         Kind::ksql_error,
                                         Kind::ksql_stream,
                                         Kind::json,
                                         Kind::text,
                                         Kind::kusto_ingest_message,
                                         Kind::kusto_ingest_notification};

inline Kind kind_of(std::uint8_t selector) {
  return kAllKinds[selector % kAllKinds.size()];
}

} // namespace konform::fuzz
