#pragma once
// Finished exchanges go to disk, not to memory: each proxy thread appends the exchanges it
// finished to its own append-only spill file in the output folder, so the proxy's memory is
// bounded by the exchanges in flight however long it records. The file is sealed (seal.h: it
// holds requests before the scrub) and written through a buffer, so one write() carries many
// exchanges. When the recording ends, read_spill reads the heads back; the bodies stay in the file
// (Body::offset) and are read one at a time when the scenario is written.
#include "core/result.h"
#include "record/exchange.h"
#include "record/seal.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace konform::record {

class SpillWriter {
public:
  // The file is made in `dir` at the first append. buffer_bytes 0: every exchange is written at
  // once (tests look at the file while the proxy runs).
  SpillWriter(std::string dir, std::shared_ptr<const Sealer> sealer, std::size_t buffer_bytes);
  ~SpillWriter(); // closes the file; it stays for read_spill (discard_spool removes it)
  SpillWriter(const SpillWriter&) = delete;
  SpillWriter& operator=(const SpillWriter&) = delete;

  // Appends one finished exchange with its arrival stamp (large bodies stay in their spool files:
  // the record names them). After a failure every append fails with the first error, which names
  // the file and the reason.
  Status append(const Exchange& e, std::uint64_t order);
  Status flush();

  const std::string& path() const { return path_; } // "" before the first append
  std::uint64_t nonce() const { return nonce_; }
  std::uint64_t appended() const { return ended_; }
  std::uint64_t kept() const { return kept_; } // appended and whole in the file

private:
  Status put(const char* data, std::size_t n);
  Status fail(const std::string& why);
  std::string dir_;
  std::shared_ptr<const Sealer> sealer_;
  std::optional<SealedStream> stream_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t nonce_ = 0;
  bool flush_each_ = false;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0, used_ = 0;
  std::string head_;           // one record's head, reused (no allocation per exchange once grown)
  std::uint64_t ended_ = 0;    // append() calls
  std::uint64_t complete_ = 0; // records whole in the buffer or the file
  std::uint64_t kept_ = 0;     // records whole in the file
  std::optional<Error> failed_;
};

struct Spilled {
  std::uint64_t order = 0; // arrival stamp of the request head
  Exchange exchange;       // bodies refer to the file (or to their own spool file)
};

// The first `count` exchanges of a spill file; an error names the file and the byte offset of a
// record that is not whole.
Result<std::vector<Spilled>> read_spill(const std::string& path,
                                        const std::shared_ptr<const Sealer>& sealer,
                                        std::uint64_t nonce, std::uint64_t count);

} // namespace konform::record
