#pragma once
// The recording's files on disk while the proxy runs (the spill files of finished exchanges and
// the spool files of large bodies) hold requests as sent, Authorization headers and SAS URLs
// included: the scrubbing happens when the scenario is written, once every exchange is known (a
// credential is masked wherever it shows up, also in exchanges recorded before it was seen). So
// those files are sealed: AES-256-CTR with a key made for this run that only ever lives in the
// process's memory. What reaches the disk before the scrub is unreadable without the process,
// and the files are removed when the recording is written.
#include <cstddef>
#include <cstdint>
#include <memory>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace konform::record {

class Sealer {
public:
  // A fresh random key; nullptr when the system's random source failed.
  static std::shared_ptr<const Sealer> make();

  // A number no other file of this run uses (each file has its own counter stream).
  std::uint64_t next_nonce() const;

  // Seals or unseals (the same operation in CTR mode) n bytes in place that sit at byte
  // `offset` of the file with this nonce.
  bool apply(std::uint64_t nonce, std::uint64_t offset, char* data, std::size_t n) const;

  const unsigned char* key() const { return key_; }

private:
  unsigned char key_[32] = {};
  mutable std::uint64_t nonces_ = 0; // atomic access through __atomic builtins
};

// Seals one file's bytes in order from offset 0: the writer side, one cipher context kept for
// the whole file rather than one per piece.
class SealedStream {
public:
  SealedStream(const Sealer& sealer, std::uint64_t nonce);
  ~SealedStream();
  SealedStream(const SealedStream&) = delete;
  SealedStream& operator=(const SealedStream&) = delete;
  bool ok() const { return ctx_ != nullptr; }
  // Appends the sealed form of data[0, n) to out (which must have room for n bytes).
  bool seal(const char* data, std::size_t n, char* out);

private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

} // namespace konform::record
