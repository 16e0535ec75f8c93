// SPDX-License-Identifier: Apache-2.0
// Certificate requests as applicants send them: parse, check the
// self-signature and the key policy; refuse garbage without crashing.
#include <cstdint>
#include <string_view>

#include "pki/csr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view pem(reinterpret_cast<const char*>(data), size);
  auto csr = exchange::pki::CertificateRequest::FromPem(pem);
  if (!csr.ok()) return 0;
  (void)csr->VerifySelfSignature();
  (void)csr->CheckKeyPolicy();
  return 0;
}
