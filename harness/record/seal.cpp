#include "record/seal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>

namespace konform::record {
namespace {

// The 16-byte initial counter: the file's nonce, then the block number (big-endian, as
// OpenSSL's CTR mode increments it).
void counter(std::uint64_t nonce, std::uint64_t block, unsigned char iv[16]) {
  for (int i = 0; i < 8; ++i) {
    iv[i] = static_cast<unsigned char>(nonce >> (56 - 8 * i));
    iv[8 + i] = static_cast<unsigned char>(block >> (56 - 8 * i));
  }
}

EVP_CIPHER_CTX* open_ctx(const unsigned char* key, std::uint64_t nonce, std::uint64_t block) {
  unsigned char iv[16];
  counter(nonce, block, iv);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, key, iv) == 1) return ctx;
  EVP_CIPHER_CTX_free(ctx);
  return nullptr;
}

// EVP_EncryptUpdate takes an int length: long inputs go in pieces.
bool update(EVP_CIPHER_CTX* ctx, const char* in, std::size_t n, char* out) {
  while (n > 0) {
    int piece = n > (std::size_t(1) << 30) ? 1 << 30 : static_cast<int>(n);
    int written = 0;
    if (EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out), &written,
                          reinterpret_cast<const unsigned char*>(in), piece) != 1 ||
        written != piece)
      return false;
    in += piece;
    out += piece;
    n -= static_cast<std::size_t>(piece);
  }
  return true;
}

} // namespace

std::shared_ptr<const Sealer> Sealer::make() {
  auto s = std::make_shared<Sealer>();
  if (RAND_bytes(s->key_, sizeof s->key_) != 1) return nullptr;
  return s;
}

std::uint64_t Sealer::next_nonce() const {
  return __atomic_add_fetch(&nonces_, 1, __ATOMIC_RELAXED);
}

bool Sealer::apply(std::uint64_t nonce, std::uint64_t offset, char* data, std::size_t n) const {
  EVP_CIPHER_CTX* ctx = open_ctx(key_, nonce, offset / 16);
  if (!ctx) return false;
  bool ok = true;
  if (std::size_t skip = offset % 16; skip > 0) { // into the first block: discard its start
    char pad[16] = {};
    ok = update(ctx, pad, skip, pad);
  }
  ok = ok && update(ctx, data, n, data);
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

SealedStream::SealedStream(const Sealer& sealer, std::uint64_t nonce)
    : ctx_(open_ctx(sealer.key(), nonce, 0)) {}

SealedStream::~SealedStream() {
  EVP_CIPHER_CTX_free(ctx_);
}

bool SealedStream::seal(const char* data, std::size_t n, char* out) {
  return ctx_ && update(ctx_, data, n, out);
}

} // namespace konform::record
