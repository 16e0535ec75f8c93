// SPDX-License-Identifier: Apache-2.0
#include "log/tiles.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "log/encoding.h"

namespace exchange::log {
namespace {

constexpr uint64_t kIndexGroup = 1000;  // <N> is written in groups of 3 decimal digits

std::string ThreeDigits(uint64_t group) {
  std::string out(3, '0');
  for (int i = 2; i >= 0; --i, group /= 10) out[static_cast<std::size_t>(i)] = static_cast<char>('0' + group % 10);
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

Status BadPath(std::string_view path, const std::string& why) {
  return Status::InvalidArgument("not a tlog-tiles path: " + std::string(path) + ": " + why);
}

// <N> from its groups (the last one without its ".p" suffix).
Result<uint64_t> ParseTileIndex(std::string_view path, std::span<const std::string_view> groups) {
  uint64_t index = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const bool last = i + 1 == groups.size();
    std::string_view digits = groups[i];
    if (!last) {
      if (digits.size() != 4 || digits[0] != 'x') {
        return BadPath(path, "every index element but the last is 'x' and three digits");
      }
      digits.remove_prefix(1);
    }
    if (digits.size() != 3 || !AllDigits(digits)) {
      return BadPath(path, "the last index element is three digits");
    }
    if (i == 0 && !last && digits == "000") return BadPath(path, "the index has a leading x000 element");
    const uint64_t group = static_cast<uint64_t>((digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0'));
    if (index > (std::numeric_limits<uint64_t>::max() - group) / kIndexGroup) {
      return BadPath(path, "the index is larger than 2^64 - 1");
    }
    index = index * kIndexGroup + group;
  }
  return index;
}

// The tile that holds node `address` of some tree, with the node's position
// and the number of tile hashes under it; false when the node lies beyond any tile.
struct NodeInTile {
  uint32_t level = 0;
  uint64_t tile_index = 0;
  uint32_t position = 0;
  uint32_t count = 0;
};

bool Locate(const NodeAddress& address, NodeInTile& out) {
  const uint32_t tile_level = address.level / kTileHeight;
  const uint32_t rise = address.level % kTileHeight;
  if (tile_level > kMaxTileLevel) return false;
  if (address.index > (std::numeric_limits<uint64_t>::max() >> rise)) return false;
  const uint64_t first = address.index << rise;  // the first tile hash under the node
  out.level = tile_level;
  out.tile_index = first / kTileWidth;
  out.position = static_cast<uint32_t>(first % kTileWidth);
  out.count = 1u << rise;
  return true;
}

}  // namespace

std::string EncodeTileIndex(uint64_t index) {
  std::vector<uint64_t> groups;
  do {
    groups.push_back(index % kIndexGroup);
    index /= kIndexGroup;
  } while (index > 0);
  std::string out;
  for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
    if (!out.empty()) out += '/';
    if (std::next(it) != groups.rend()) out += 'x';
    out += ThreeDigits(*it);
  }
  return out;
}

std::string TilePath(const Tile& tile) {
  std::string out = "tile/";
  out += tile.kind == TileKind::kEntries ? std::string("entries") : std::to_string(tile.level);
  out += '/';
  out += EncodeTileIndex(tile.index);
  if (!tile.full()) out += ".p/" + std::to_string(tile.width);
  return out;
}

Result<Tile> ParseTilePath(std::string_view path) {
  auto segments = SplitSegments(path);
  if (segments.size() < 3 || segments[0] != "tile") {
    return BadPath(path, "expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]");
  }
  Tile tile;
  if (segments[1] == "entries") {
    tile.kind = TileKind::kEntries;
  } else {
    auto level = ParseCanonicalDecimal(segments[1]);
    if (!level || *level > kMaxTileLevel) {
      return BadPath(path, "the level is a decimal from 0 to 63 without leading zeroes, or \"entries\"");
    }
    tile.level = static_cast<uint32_t>(*level);
  }
  std::vector<std::string_view> groups(segments.begin() + 2, segments.end());
  // A partial tile: the last index element ends in ".p" and the width follows.
  if (groups.size() >= 2) {
    std::string_view& marked = groups[groups.size() - 2];
    if (marked.size() > 2 && marked.substr(marked.size() - 2) == ".p") {
      auto width = ParseCanonicalDecimal(groups.back());
      if (!width || *width < 1 || *width >= kTileWidth) {
        return BadPath(path, "a partial tile's width is a decimal from 1 to 255 without leading zeroes");
      }
      tile.width = static_cast<uint32_t>(*width);
      marked.remove_suffix(2);
      groups.pop_back();
    }
  }
  auto index = ParseTileIndex(path, groups);
  if (!index.ok()) return index.status();
  tile.index = *index;
  return tile;
}

uint64_t CompleteHashesAtLevel(uint64_t size, uint32_t level) {
  const uint64_t shift = uint64_t{kTileHeight} * level;
  return shift >= 64 ? 0 : size >> shift;
}

bool TileInTree(const Tile& tile, uint64_t size) {
  if (tile.width == 0 || tile.width > kTileWidth) return false;
  const uint64_t complete = CompleteHashesAtLevel(size, tile.kind == TileKind::kEntries ? 0 : tile.level);
  if (tile.index > complete / kTileWidth) return false;
  return complete - tile.index * kTileWidth >= tile.width;
}

std::vector<Tile> TilesOfTree(uint64_t size) {
  std::vector<Tile> tiles;
  for (uint32_t level = 0; level <= kMaxTileLevel; ++level) {
    const uint64_t complete = CompleteHashesAtLevel(size, level);
    if (complete == 0) break;
    for (uint64_t n = 0; n < complete / kTileWidth; ++n) tiles.push_back({TileKind::kHashes, level, n, kTileWidth});
    if (complete % kTileWidth != 0) {
      tiles.push_back({TileKind::kHashes, level, complete / kTileWidth, static_cast<uint32_t>(complete % kTileWidth)});
    }
  }
  return tiles;
}

std::vector<Tile> EntryBundlesOfTree(uint64_t size) {
  std::vector<Tile> bundles;
  for (const Tile& tile : TilesOfTree(size)) {
    if (tile.level != 0) break;
    bundles.push_back({TileKind::kEntries, 0, tile.index, tile.width});
  }
  return bundles;
}

NodeRun NodesOfTile(const Tile& tile) {
  const uint32_t level = tile.kind == TileKind::kEntries ? 0 : tile.level;
  return {level * kTileHeight, tile.index * kTileWidth, tile.width};
}

std::string EncodeHashTile(std::span<const Hash> hashes) {
  std::string out;
  out.reserve(hashes.size() * sizeof(Hash));
  for (const Hash& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<std::vector<Hash>> DecodeHashTile(std::string_view bytes, uint32_t width) {
  if (bytes.size() != std::size_t{width} * sizeof(Hash)) {
    return Status::InvalidArgument("a hash tile of width " + std::to_string(width) + " is " +
                                   std::to_string(width * sizeof(Hash)) + " bytes, not " +
                                   std::to_string(bytes.size()));
  }
  std::vector<Hash> hashes(width);
  for (uint32_t i = 0; i < width; ++i) std::copy_n(bytes.data() + i * sizeof(Hash), sizeof(Hash), hashes[i].begin());
  return hashes;
}

Result<std::string> EncodeEntryBundle(std::span<const std::string> entries) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > kMaxBundledEntryBytes) {
      return Status::InvalidArgument("entry " + std::to_string(i) + " of the bundle is " +
                                     std::to_string(entries[i].size()) + " bytes; an entry bundle carries at most " +
                                     std::to_string(kMaxBundledEntryBytes) + " bytes per entry");
    }
    total += 2 + entries[i].size();
  }
  std::string out;
  out.reserve(total);
  for (const auto& entry : entries) {
    out += static_cast<char>(entry.size() >> 8);
    out += static_cast<char>(entry.size() & 0xff);
    out += entry;
  }
  return out;
}

Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bytes, uint32_t width) {
  std::vector<std::string> entries;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 2) {
      return Status::InvalidArgument("entry bundle: a length prefix is cut off at byte " + std::to_string(at));
    }
    const std::size_t length =
        (std::size_t{static_cast<uint8_t>(bytes[at])} << 8) | static_cast<uint8_t>(bytes[at + 1]);
    at += 2;
    if (bytes.size() - at < length) {
      return Status::InvalidArgument("entry bundle: entry " + std::to_string(entries.size()) + " claims " +
                                     std::to_string(length) + " bytes but " + std::to_string(bytes.size() - at) +
                                     " remain");
    }
    entries.emplace_back(bytes.substr(at, length));
    at += length;
  }
  if (entries.size() != width) {
    return Status::InvalidArgument("entry bundle: " + std::to_string(entries.size()) + " entries where the tile has " +
                                   std::to_string(width));
  }
  return entries;
}

Status CheckBundleAgainstTile(std::span<const std::string> entries, std::span<const Hash> leaf_hashes) {
  if (entries.size() != leaf_hashes.size()) {
    return Status::InvalidArgument(std::to_string(entries.size()) + " entries for a level-0 tile of " +
                                   std::to_string(leaf_hashes.size()) + " hashes");
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (LeafHash(std::string_view(entries[i])) != leaf_hashes[i]) {
      return Status::InvalidArgument("entry " + std::to_string(i) + " of the bundle does not hash to its level-0 tile");
    }
  }
  return Status::Ok();
}

Result<std::map<NodeAddress, Hash>> NodesFromTiles(std::span<const NodeAddress> addresses, const TileHashes& tiles) {
  std::map<NodeAddress, Hash> nodes;
  for (const NodeAddress& address : addresses) {
    NodeInTile where;
    if (!Locate(address, where)) {
      return Status::InvalidArgument("node (" + std::to_string(address.level) + ", " + std::to_string(address.index) +
                                     ") lies beyond every tile");
    }
    // The widest tile held at that level and index.
    const std::vector<Hash>* hashes = nullptr;
    for (auto it = tiles.lower_bound({TileKind::kHashes, where.level, where.tile_index, 0});
         it != tiles.end() && it->first.kind == TileKind::kHashes && it->first.level == where.level &&
         it->first.index == where.tile_index;
         ++it) {
      if (hashes == nullptr || it->second.size() > hashes->size()) hashes = &it->second;
    }
    if (hashes == nullptr || hashes->size() < std::size_t{where.position} + where.count) {
      return Status::InvalidArgument("node (" + std::to_string(address.level) + ", " + std::to_string(address.index) +
                                     ") needs " +
                                     TilePath({TileKind::kHashes, where.level, where.tile_index,
                                               std::min(where.position + where.count, kTileWidth)}) +
                                     ", which is not at hand");
    }
    nodes[address] = RootFromLeafHashes(std::span<const Hash>(*hashes).subspan(where.position, where.count));
  }
  return nodes;
}

std::vector<Tile> TilesForNodes(std::span<const NodeAddress> addresses, uint64_t size) {
  std::vector<Tile> tiles;
  for (const NodeAddress& address : addresses) {
    NodeInTile where;
    if (!Locate(address, where)) continue;
    const uint64_t complete = CompleteHashesAtLevel(size, where.level);
    if (where.tile_index > complete / kTileWidth) continue;
    const uint64_t width = std::min<uint64_t>(kTileWidth, complete - where.tile_index * kTileWidth);
    if (width == 0) continue;
    tiles.push_back({TileKind::kHashes, where.level, where.tile_index, static_cast<uint32_t>(width)});
  }
  std::sort(tiles.begin(), tiles.end());
  tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
  return tiles;
}

Status VerifyTilesAgainstRoot(uint64_t size, const TileHashes& tiles, const Hash& root) {
  TileHashes exact;
  for (const Tile& tile : TilesOfTree(size)) {
    auto it = tiles.find(tile);
    if (it == tiles.end()) return Status::InvalidArgument("tile " + TilePath(tile) + " is missing");
    if (it->second.size() != tile.width) {
      return Status::InvalidArgument("tile " + TilePath(tile) + " holds " + std::to_string(it->second.size()) +
                                     " hashes");
    }
    exact.emplace(tile, it->second);
  }
  for (const auto& [tile, hashes] : exact) {
    if (tile.level == 0) continue;
    for (uint32_t j = 0; j < tile.width; ++j) {
      const Tile below{TileKind::kHashes, tile.level - 1, tile.index * kTileWidth + j, kTileWidth};
      auto it = exact.find(below);
      if (it == exact.end()) return Status::Internal("tile " + TilePath(below) + " is not among the tree's tiles");
      if (RootFromLeafHashes(it->second) != hashes[j]) {
        return Status::InvalidArgument("hash " + std::to_string(j) + " of tile " + TilePath(tile) +
                                       " is not the root of tile " + TilePath(below));
      }
    }
  }
  const auto addresses = CompactRangeAddresses(size);
  auto nodes = NodesFromTiles(addresses, exact);
  if (!nodes.ok()) return nodes.status();
  std::vector<Hash> frontier;
  for (const auto& a : addresses) frontier.push_back(nodes->at(a));
  auto range = CompactRange::FromHashes(size, std::move(frontier));
  if (!range.ok()) return range.status();
  if (range->Root() != root) {
    return Status::InvalidArgument("the tiles of the tree of size " + std::to_string(size) +
                                   " do not hash to its root");
  }
  return Status::Ok();
}

}  // namespace exchange::log
