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

// The exchange's namespace for name-based UUIDs (STIX ids, MISP uuids;
// docs/interop.md): 873dab70-2e75-49de-8d8f-ca509833582a, drawn at random
// once; it never changes.
inline constexpr Uuid kExchangeNamespace = {0x87, 0x3d, 0xab, 0x70, 0x2e, 0x75, 0x49, 0xde,
                                            0x8d, 0x8f, 0xca, 0x50, 0x98, 0x33, 0x58, 0x2a};

// UUIDv5 of `name` in `ns`.
Uuid NameBasedUuid(const Uuid& ns, std::string_view name);
// Lowercase 8-4-4-4-12 hex.
std::string FormatUuid(const Uuid& uuid);

// The id of a signal: UUIDv5 in kExchangeNamespace of
// "signal\n<origin>\n<kind>\n<canonical value>", the origin naming the collection
// ("<exchange name>/<collection>") so two exchanges never share ids.
std::string SignalUuid(std::string_view origin, std::string_view kind, std::string_view value);

}  // namespace exchange::signals
