// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-tiles (c2sp.org/tlog-tiles) geometry and formats: which tiles a
// tree has, their paths, the bytes of hash tiles and entry bundles, and the
// checks a reader runs on them (tiles agree with each other and hash to a
// signed root; an entry bundle hashes to its level-0 tile).
//
// A hash tile at level L, index N and width W holds the W Merkle tree hashes
// of the perfect subtrees (level 8L, index N * 256 + i), i < W: the log's
// stored nodes at Merkle level 8L (log/merkle.h's storage model), so a server
// serves a tile as one range of stored nodes and never recomputes a hash.
// The entry bundle with index N holds entries [N * 256, N * 256 + W).
//
// A tile "is in" a tree of size s when every hash it holds is of a complete
// subtree of that tree: N * 256 + W <= floor(s / 256^L). That covers the full
// tiles, the tree's own partial tiles, and any narrower partial tile of a
// smaller tree (a client that verified an older checkpoint still finds the
// partial tiles it names while the log grows).
//
// Values and pure functions; no I/O; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/hash.h"
#include "log/merkle.h"

namespace exchange::log {

inline constexpr uint32_t kTileHeight = 8;     // Merkle levels per tile level
inline constexpr uint32_t kTileWidth = 256;    // hashes (or entries) in a full tile
inline constexpr uint32_t kMaxTileLevel = 63;  // the spec's bound on <L>
// An entry bundle prefixes each entry with a big-endian uint16 length.
inline constexpr std::size_t kMaxBundledEntryBytes = 65535;

enum class TileKind {
  kHashes,   // tile/<L>/<N>[.p/<W>]
  kEntries,  // tile/entries/<N>[.p/<W>]; level is always 0
};

struct Tile {
  TileKind kind = TileKind::kHashes;
  uint32_t level = 0;           // <L>; 0 for entry bundles
  uint64_t index = 0;           // <N>
  uint32_t width = kTileWidth;  // <W>: 1..255 for a partial tile, kTileWidth for a full one

  bool full() const { return width == kTileWidth; }
  auto operator<=>(const Tile&) const = default;
};

// "x001/x234/067" for 1234067: 3-digit groups, every group but the last
// prefixed with 'x', as few groups as the number needs ("000" for 0).
std::string EncodeTileIndex(uint64_t index);

// The path below a log's prefix: "tile/0/x001/x234/067.p/8",
// "tile/entries/000". The tile must be valid (width 1..256, level <= 63).
std::string TilePath(const Tile& tile);

// Parses a path below a log's prefix (starting "tile/"). Only the canonical
// spelling is accepted, so one tile has one URL: <L> and <W> decimal without
// leading zeroes (L <= 63, 1 <= W <= 255), <N> in as few groups as
// EncodeTileIndex writes. InvalidArgument, saying what is wrong, for anything else.
Result<Tile> ParseTilePath(std::string_view path);

// How many complete subtrees a tree of `size` has at tile level `level`
// (floor(size / 256^level)); 0 for levels whose subtrees are larger than any tree.
uint64_t CompleteHashesAtLevel(uint64_t size, uint32_t level);

// True when every hash (or entry) of `tile` belongs to the tree of `size` (see above).
bool TileInTree(const Tile& tile, uint64_t size);

// The hash tiles that describe the tree of `size`, level by level from 0,
// left to right: the full tiles and, where the level does not end on a tile
// boundary, its partial tile. None for the empty tree. The entry bundles of
// the tree are the level-0 tiles with kind kEntries (EntryBundlesOfTree).
std::vector<Tile> TilesOfTree(uint64_t size);
std::vector<Tile> EntryBundlesOfTree(uint64_t size);

// The stored nodes a hash tile consists of: `count` nodes at Merkle `level`
// from `first_index` on.
struct NodeRun {
  uint32_t level = 0;
  uint64_t first_index = 0;
  uint64_t count = 0;
};
NodeRun NodesOfTile(const Tile& tile);

// A hash tile's bytes: its hashes concatenated (32 bytes each).
std::string EncodeHashTile(std::span<const Hash> hashes);
// The hashes of a hash tile of `width`; InvalidArgument unless the body is
// exactly 32 * width bytes.
Result<std::vector<Hash>> DecodeHashTile(std::string_view bytes, uint32_t width);

// An entry bundle: each entry as a big-endian uint16 length and its bytes.
// InvalidArgument, naming the entry (by its position in `entries`), when one
// is longer than kMaxBundledEntryBytes: the format cannot carry it.
Result<std::string> EncodeEntryBundle(std::span<const std::string> entries);
// The entries of a bundle; InvalidArgument when a length runs past the end or
// when the count differs from `width`.
Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bytes, uint32_t width);

// OK when `entries` (a decoded bundle) hash to the leaf hashes of the level-0
// hash tile `leaf_hashes`; InvalidArgument naming the first entry that does not.
Status CheckBundleAgainstTile(std::span<const std::string> entries, std::span<const Hash> leaf_hashes);

// Hash tiles by coordinate (kind kHashes), as a reader collects them.
using TileHashes = std::map<Tile, std::vector<Hash>>;

// The hashes of the complete nodes at `addresses`, computed from `tiles`. A
// node at Merkle level k lies in the tile at level floor(k / 8): it is the
// root of 2^(k mod 8) consecutive hashes there. InvalidArgument when a tile
// that would hold a node is absent or too narrow.
Result<std::map<NodeAddress, Hash>> NodesFromTiles(std::span<const NodeAddress> addresses, const TileHashes& tiles);

// The hash tiles of the tree of `size` that hold the complete nodes at
// `addresses` (what NodesFromTiles needs for them), each once, in order: the
// full tile where the tree has it, else the tree's partial one.
std::vector<Tile> TilesForNodes(std::span<const NodeAddress> addresses, uint64_t size);

// Verifies a full set of tiles of the tree of `size` (TilesOfTree(size),
// every one present with its width and 32-byte hashes) against `root`: every
// hash at level L >= 1 is the Merkle root of the full tile below it, and the
// tree's root computed from the tiles equals `root`. OK or InvalidArgument
// saying which tile disagrees.
Status VerifyTilesAgainstRoot(uint64_t size, const TileHashes& tiles, const Hash& root);

}  // namespace exchange::log
