// SPDX-License-Identifier: Apache-2.0
// Stable identifiers for the interchange formats: RFC 4122 §4.3 name-based
// UUIDs (version 5, SHA-1), so that a signal, a collection or an event keeps
// one id in every export and every client that imports it can update rather
// than duplicate.
//
// Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace exchange::signals {

using Uuid = std::array<uint8_t, 16>;

// The exchange's namespace for name-based UUIDs (docs/interop.md):
// a2b51cd6-93fb-4576-9fce-fe7084261291, drawn at random once.
inline constexpr Uuid kExchangeNamespace = {0xa2, 0xb5, 0x1c, 0xd6, 0x93, 0xfb, 0x45, 0x76,
                                            0x9f, 0xce, 0xfe, 0x70, 0x84, 0x26, 0x12, 0x91};

// UUIDv5 of `name` in `ns`.
Uuid NameBasedUuid(const Uuid& ns, std::string_view name);
// Lowercase 8-4-4-4-12 hex.
std::string FormatUuid(const Uuid& uuid);

// The id of a signal: UUIDv5 in kExchangeNamespace of
// "signal\n<origin>\n<kind>\n<canonical value>", the origin naming the collection
// ("<exchange name>/<collection>") so two exchanges never share ids.
std::string SignalUuid(std::string_view origin, std::string_view kind, std::string_view value);

}  // namespace exchange::signals
