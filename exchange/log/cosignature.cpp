// SPDX-License-Identifier: Apache-2.0
#include "log/cosignature.h"

#include <span>

#include "log/checkpoint.h"
#include "log/encoding.h"

namespace exchange::log {
namespace {

Status CheckCosigned(std::string_view checkpoint_text, KeyType type) {
  if (type != KeyType::kCosignatureV1) return Status::InvalidArgument("not a cosignature v1 key");
  Result<Checkpoint> checkpoint = Checkpoint::Parse(checkpoint_text);
  return checkpoint.ok() ? Status::Ok() : checkpoint.status();
}

}  // namespace

std::string CosignatureMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpoint_text);
}

Result<std::string> CoSign(std::string_view checkpoint_text, const Signer& cosigner, uint64_t timestamp) {
  if (Status s = CheckCosigned(checkpoint_text, cosigner.type()); !s.ok()) return s;
  if (timestamp > kMaxCosignatureTimestamp) return Status::InvalidArgument("cosignature timestamp out of range");
  Result<Ed25519Signature> signature = cosigner.SignMessage(CosignatureMessage(checkpoint_text, timestamp));
  if (!signature.ok()) return signature.status();
  std::string value;
  for (int shift = 56; shift >= 0; shift -= 8) value += static_cast<char>(timestamp >> shift);
  value += AsChars(*signature);
  return FormatSignatureLine(cosigner.name(), cosigner.key_id(), value);
}

Result<uint64_t> VerifyCosignature(std::string_view checkpoint_text, std::string_view signature_line,
                                   const Verifier& cosigner) {
  if (Status s = CheckCosigned(checkpoint_text, cosigner.type()); !s.ok()) return s;
  if (signature_line.empty() || signature_line.find('\n') + 1 != signature_line.size()) {
    return Status::InvalidArgument("expected exactly one newline-terminated signature line");
  }
  std::string note = std::string(checkpoint_text) + "\n" + std::string(signature_line);
  Result<OpenedNote> opened = OpenNote(note, std::span(&cosigner, 1));
  if (!opened.ok()) return opened.status();
  return *opened->verified.front().timestamp;
}

}  // namespace exchange::log
