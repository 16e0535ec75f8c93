// SPDX-License-Identifier: Apache-2.0
// SHA-256 and the RFC 9162 §2.1.1 Merkle tree hashes: domain-separated leaf
// and interior-node hashes, and the hash of the empty tree.
//
// Values only; pure functions over OpenSSL 3 EVP; thread-safe. A SHA-256 that
// OpenSSL cannot compute (no memory, no default provider) aborts the process:
// no caller could do anything sensible with a missing hash.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"

namespace exchange::log {

using Hash = std::array<uint8_t, 32>;

Hash Sha256(std::span<const uint8_t> bytes);
Hash Sha256(std::string_view bytes);

// SHA-256(0x00 || entry): the hash of the log entry bytes as stored.
Hash LeafHash(std::span<const uint8_t> entry);
Hash LeafHash(std::string_view entry);

// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);

// SHA-256(""): the root of the tree with no leaves.
Hash EmptyRoot();

// A Hash from exactly 32 bytes; any other length is InvalidArgument.
Result<Hash> HashFromBytes(std::string_view bytes);

}  // namespace exchange::log
