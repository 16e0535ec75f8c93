// SPDX-License-Identifier: Apache-2.0
// Signed notes and checkpoint bodies as a client receives them from a server
// it does not trust: parsing and verification must refuse, never crash.
#include <cstdint>
#include <string_view>

#include "log/checkpoint.h"
#include "log/checkpoint_note.h"
#include "log/signed_note.h"

namespace {

const std::vector<exchange::log::Verifier>& Verifiers() {
  // The C2SP example key (shared/vectors/signed-note/example.vkey), so valid-looking notes get far.
  static const std::vector<exchange::log::Verifier> verifiers = [] {
    std::vector<exchange::log::Verifier> v;
    auto parsed = exchange::log::Verifier::Parse("example.com+530d903a+AbIgSkXmjxsQfKCTUG/I2t4dWBCyrv0NkAIFD+WzeVg5");
    if (parsed.ok()) v.push_back(*parsed);
    return v;
  }();
  return verifiers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)exchange::log::Checkpoint::Parse(text);
  (void)exchange::log::OpenNote(text, Verifiers());
  (void)exchange::log::VerifyCheckpointNote(text, Verifiers(), {}, "");
  (void)exchange::log::Verifier::Parse(text);
  return 0;
}
