#include "serve/kusto/sas.h"

#include "core/base64.h"
#include "core/text.h"
#include "serve/kusto/cluster/value.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace konform::serve::kusto::sas {

Result<std::string> sign(std::string_view key_base64, std::string_view data) {
  auto key = base64::decode(key_base64);
  if (!key) return make_error("the storage account key is not base64: " + key.error().message);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len))
    return make_error("HMAC-SHA256 failed (OpenSSL)");
  return base64::encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string expiry_in(std::int64_t seconds) {
  auto text = cluster::format_datetime(cluster::now_ticks() + seconds * cluster::ticks_per_second);
  // Drop the fraction: SAS times are whole seconds.
  auto dot = text.find('.');
  if (dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto p : parts) {
    if (!first) out += '\n';
    out += p;
    first = false;
  }
  return out;
}

} // namespace

Result<std::string> container_sas(const Account& a, std::string_view container,
                                  std::string_view permissions, std::string_view expiry) {
  std::string resource = "/blob/" + a.name + "/" + std::string(container);
  // sp, st, se, resource, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct
  auto to_sign = join(
      {permissions, "", expiry, resource, "", "", "", version, "c", "", "", "", "", "", "", ""});
  auto sig = sign(a.key_base64, to_sign);
  if (!sig) return sig.error();
  return "sv=" + std::string(version) + "&se=" + text::url_encode(expiry) +
         "&sr=c&sp=" + std::string(permissions) + "&sig=" + text::url_encode(*sig);
}

Result<std::string> queue_sas(const Account& a, std::string_view queue,
                              std::string_view permissions, std::string_view expiry) {
  std::string resource = "/queue/" + a.name + "/" + std::string(queue);
  // sp, st, se, resource, si, sip, spr, sv
  auto to_sign = join({permissions, "", expiry, resource, "", "", "", version});
  auto sig = sign(a.key_base64, to_sign);
  if (!sig) return sig.error();
  return "sv=" + std::string(version) + "&se=" + text::url_encode(expiry) +
         "&sp=" + std::string(permissions) + "&sig=" + text::url_encode(*sig);
}

Result<std::string> table_sas(const Account& a, std::string_view table,
                              std::string_view permissions, std::string_view expiry) {
  // The canonical resource names the table in lower case.
  std::string resource = "/table/" + a.name + "/" + text::to_lower(table);
  // sp, st, se, resource, si, sip, spr, sv, spk, srk, epk, erk
  auto to_sign = join({permissions, "", expiry, resource, "", "", "", version, "", "", "", ""});
  auto sig = sign(a.key_base64, to_sign);
  if (!sig) return sig.error();
  return "sv=" + std::string(version) + "&tn=" + std::string(table) +
         "&sp=" + std::string(permissions) + "&se=" + text::url_encode(expiry) +
         "&sig=" + text::url_encode(*sig);
}

Result<std::string> account_sas(const Account& a, std::string_view services,
                                std::string_view resource_types, std::string_view permissions,
                                std::string_view expiry) {
  // account, sp, ss, srt, st, se, sip, spr, sv, ses, "" (a final newline)
  auto to_sign =
      join({a.name, permissions, services, resource_types, "", expiry, "", "", version, "", ""});
  auto sig = sign(a.key_base64, to_sign);
  if (!sig) return sig.error();
  return "sv=" + std::string(version) + "&ss=" + std::string(services) +
         "&srt=" + std::string(resource_types) + "&sp=" + std::string(permissions) +
         "&se=" + text::url_encode(expiry) + "&sig=" + text::url_encode(*sig);
}

std::string redact(std::string_view url) {
  std::string out(url);
  // Every sig= (a command may name several blobs), in any case; the value ends where a URL's
  // query parameter or the quoted string holding the URL ends.
  std::string lower = text::to_lower(out);
  std::size_t from = 0;
  for (;;) {
    auto at = lower.find("sig=", from);
    if (at == std::string::npos) return out;
    auto end = lower.find_first_of("&'\" \t\r\n;", at + 4);
    if (end == std::string::npos) end = lower.size();
    out.replace(at + 4, end - at - 4, "REDACTED");
    lower.replace(at + 4, end - at - 4, "REDACTED");
    from = at + 4 + 8;
  }
}

} // namespace konform::serve::kusto::sas
