// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-tiles geometry and formats: the spec's index encoding and its
// examples (trees of 256 and 70,000 entries), canonical paths only, which
// tiles a tree has, entry bundles both ways, and tiles built from the spec's
// MTH definition that hash to the tree's root and give the same proofs as
// the RFC's recursive definitions; a flipped hash or a missing tile is caught.
#include "log/tiles.h"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

#include "log/hash.h"
#include "log/merkle.h"

namespace {

using namespace exchange;
using namespace exchange::log;

std::vector<Hash> Leaves(uint64_t size) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < size; ++i) leaves.push_back(LeafHash("leaf " + std::to_string(i)));
  return leaves;
}

uint64_t Pow256(uint32_t level) { return uint64_t{1} << (8 * level); }

// The tiles of the tree, by the spec's formula
// MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]), straight from the leaves.
TileHashes SpecTiles(const std::vector<Hash>& leaves) {
  TileHashes tiles;
  for (const Tile& tile : TilesOfTree(leaves.size())) {
    std::vector<Hash> hashes;
    for (uint32_t i = 0; i < tile.width; ++i) {
      const uint64_t start = (tile.index * 256 + i) * Pow256(tile.level);
      hashes.push_back(RootFromLeafHashes(std::span<const Hash>(leaves).subspan(start, Pow256(tile.level))));
    }
    tiles[tile] = hashes;
  }
  return tiles;
}

Tile Hashes(uint32_t level, uint64_t index, uint32_t width = kTileWidth) {
  return {TileKind::kHashes, level, index, width};
}

}  // namespace

TEST_CASE("tile indexes: 3-digit groups, x on all but the last (the spec's example)") {
  CHECK(EncodeTileIndex(1234067) == "x001/x234/067");
  CHECK(EncodeTileIndex(0) == "000");
  CHECK(EncodeTileIndex(7) == "007");
  CHECK(EncodeTileIndex(999) == "999");
  CHECK(EncodeTileIndex(1000) == "x001/000");
  CHECK(EncodeTileIndex(273) == "273");
  CHECK(EncodeTileIndex(std::numeric_limits<uint64_t>::max()) == "x018/x446/x744/x073/x709/x551/615");
  CHECK(TilePath(Hashes(0, 1234067, 8)) == "tile/0/x001/x234/067.p/8");
  CHECK(TilePath(Hashes(1, 0)) == "tile/1/000");
  CHECK(TilePath({TileKind::kEntries, 0, 1234067, kTileWidth}) == "tile/entries/x001/x234/067");
  CHECK(TilePath({TileKind::kEntries, 0, 273, 112}) == "tile/entries/273.p/112");
}

TEST_CASE("tile paths parse back, and only their canonical spelling does") {
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{999}, uint64_t{1000}, uint64_t{1234067},
                         uint64_t{1'000'000'000}, std::numeric_limits<uint64_t>::max()}) {
    for (uint32_t width : {1u, 112u, 255u, kTileWidth}) {
      for (const Tile tile :
           {Hashes(0, index, width), Hashes(63, index, width), Tile{TileKind::kEntries, 0, index, width}}) {
        CAPTURE(TilePath(tile));
        auto parsed = ParseTilePath(TilePath(tile));
        REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
        CHECK(*parsed == tile);
      }
    }
  }
  for (const char* bad : {"",
                          "tile",
                          "tile/0",
                          "tile/0/",
                          "tiles/0/000",
                          "tile/00/000",
                          "tile/64/000",
                          "tile/-1/000",
                          "tile/a/000",
                          "tile/0/0",
                          "tile/0/0000",
                          "tile/0/x000/001",
                          "tile/0/x001",
                          "tile/0/001/",
                          "tile/0/x1/000",
                          "tile/0/y001/000",
                          "tile/0/001/002",
                          "tile/0/001.p",
                          "tile/0/001.p/",
                          "tile/0/001.p/0",
                          "tile/0/001.p/256",
                          "tile/0/001.p/08",
                          "tile/0/001.p/8/9",
                          "tile/0/001.p.p/8",
                          "tile/0/.p/8",
                          "tile/entries",
                          "tile/entries/",
                          "tile/entries/1",
                          "tile/entries/000.p/300",
                          "tile/0/x018/x446/x744/x073/x709/x551/616",
                          "tile/0/x001/x000/x000/x000/x000/x000/x000/000",
                          "tile//000",
                          "tile/0//000",
                          "tile/0/%30%30%30"}) {
    CAPTURE(bad);
    auto parsed = ParseTilePath(bad);
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok()) {
      CHECK(parsed.status().code() == ErrorCode::kInvalidArgument);
      CHECK(parsed.status().message().find("not a tlog-tiles path") != std::string::npos);
    }
  }
}

TEST_CASE("the tiles of a tree: the spec's 70,000 and 256, and the edges") {
  SUBCASE("70,000: 273 full level-0 tiles, one of width 112, one full level-1 tile, one of 17, one level-2 of 1") {
    auto tiles = TilesOfTree(70'000);
    REQUIRE(tiles.size() == 273 + 1 + 1 + 1 + 1);
    for (uint64_t n = 0; n < 273; ++n) CHECK(tiles[n] == Hashes(0, n));
    CHECK(tiles[273] == Hashes(0, 273, 112));
    CHECK(tiles[274] == Hashes(1, 0));
    CHECK(tiles[275] == Hashes(1, 1, 17));
    CHECK(tiles[276] == Hashes(2, 0, 1));
    CHECK(TilePath(tiles[273]) == "tile/0/273.p/112");
    CHECK(TilePath(tiles[275]) == "tile/1/001.p/17");
    auto bundles = EntryBundlesOfTree(70'000);
    REQUIRE(bundles.size() == 274);
    CHECK(bundles.back() == Tile{TileKind::kEntries, 0, 273, 112});
  }
  SUBCASE("256: one full level-0 tile and a level-1 tile of width 1") {
    CHECK(TilesOfTree(256) == std::vector<Tile>{Hashes(0, 0), Hashes(1, 0, 1)});
  }
  CHECK(TilesOfTree(0).empty());
  CHECK(EntryBundlesOfTree(0).empty());
  CHECK(TilesOfTree(1) == std::vector<Tile>{Hashes(0, 0, 1)});
  CHECK(TilesOfTree(255) == std::vector<Tile>{Hashes(0, 0, 255)});
  CHECK(TilesOfTree(257) == std::vector<Tile>{Hashes(0, 0), Hashes(0, 1, 1), Hashes(1, 0, 1)});
  CHECK(TilesOfTree(65536) == std::vector<Tile>([] {
          std::vector<Tile> t;
          for (uint64_t n = 0; n < 256; ++n) t.push_back(Hashes(0, n));
          t.push_back(Hashes(1, 0));
          t.push_back(Hashes(2, 0, 1));
          return t;
        }()));
  // The largest tree has tiles up to level 7 and none above.
  auto largest = CompleteHashesAtLevel(std::numeric_limits<uint64_t>::max(), 7);
  CHECK(largest == 255);
  CHECK(CompleteHashesAtLevel(std::numeric_limits<uint64_t>::max(), 8) == 0);
  CHECK(CompleteHashesAtLevel(std::numeric_limits<uint64_t>::max(), 63) == 0);
}

TEST_CASE("a tile is in a tree when all its hashes are of complete subtrees") {
  CHECK(TileInTree(Hashes(0, 0, 1), 1));
  CHECK_FALSE(TileInTree(Hashes(0, 0, 2), 1));
  CHECK_FALSE(TileInTree(Hashes(0, 0), 255));
  CHECK(TileInTree(Hashes(0, 0), 256));
  CHECK(TileInTree(Hashes(0, 0, 100), 256));  // an older tree's partial tile stays readable
  CHECK_FALSE(TileInTree(Hashes(0, 1, 1), 256));
  CHECK(TileInTree(Hashes(1, 0, 1), 256));
  CHECK_FALSE(TileInTree(Hashes(1, 0, 2), 511));
  CHECK(TileInTree(Hashes(1, 0, 2), 512));
  CHECK(TileInTree(Hashes(0, 273, 112), 70'000));
  CHECK_FALSE(TileInTree(Hashes(0, 273, 113), 70'000));
  CHECK_FALSE(TileInTree(Hashes(0, 273), 70'000));
  CHECK(TileInTree(Hashes(2, 0, 1), 70'000));
  CHECK_FALSE(TileInTree(Hashes(3, 0, 1), 70'000));
  CHECK_FALSE(TileInTree(Hashes(63, 0, 1), std::numeric_limits<uint64_t>::max()));
  CHECK_FALSE(TileInTree(Hashes(0, std::numeric_limits<uint64_t>::max()), std::numeric_limits<uint64_t>::max()));
  CHECK(TileInTree({TileKind::kEntries, 0, 0, 1}, 1));
  CHECK_FALSE(TileInTree({TileKind::kEntries, 0, 0, 1}, 0));
  CHECK_FALSE(TileInTree(Hashes(0, 0, 1), 0));
}

TEST_CASE("the nodes of a tile are a run of stored nodes at level 8L") {
  auto run = NodesOfTile(Hashes(2, 3, 17));
  CHECK(run.level == 16);
  CHECK(run.first_index == 3 * 256);
  CHECK(run.count == 17);
  auto bundle = NodesOfTile({TileKind::kEntries, 0, 5, kTileWidth});
  CHECK(bundle.level == 0);
  CHECK(bundle.first_index == 5 * 256);
  CHECK(bundle.count == 256);
}

TEST_CASE("entry bundles: uint16 big-endian lengths, both ways, and what they cannot carry") {
  std::vector<std::string> entries{"", "a", std::string(300, 'b'), std::string(kMaxBundledEntryBytes, '\0')};
  auto bundle = EncodeEntryBundle(entries);
  REQUIRE(bundle.ok());
  CHECK(bundle->size() == 8 + 0 + 1 + 300 + kMaxBundledEntryBytes);
  CHECK(bundle->substr(0, 5) == std::string("\x00\x00\x00\x01"
                                            "a",
                                            5));
  CHECK(bundle->substr(5, 2) == std::string("\x01\x2c", 2));  // 300
  auto back = DecodeEntryBundle(*bundle, 4);
  REQUIRE(back.ok());
  CHECK(*back == entries);

  CHECK_FALSE(DecodeEntryBundle(*bundle, 3).ok());
  CHECK_FALSE(DecodeEntryBundle(bundle->substr(0, bundle->size() - 1), 4).ok());
  CHECK_FALSE(DecodeEntryBundle(std::string("\x00", 1), 1).ok());
  CHECK_FALSE(DecodeEntryBundle(std::string("\x00\x05"
                                            "abc",
                                            5),
                                1)
                  .ok());
  auto empty = DecodeEntryBundle("", 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  std::vector<std::string> too_long{"x", std::string(kMaxBundledEntryBytes + 1, 'y')};
  auto refused = EncodeEntryBundle(too_long);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("entry 1 of the bundle is 65536 bytes") != std::string::npos);

  std::vector<Hash> hashes{LeafHash(""), LeafHash("a"), LeafHash(entries[2]), LeafHash(entries[3])};
  CHECK(CheckBundleAgainstTile(*back, hashes).ok());
  hashes[2][0] ^= 1;
  auto mismatch = CheckBundleAgainstTile(*back, hashes);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.message().find("entry 2") != std::string::npos);
  CHECK_FALSE(CheckBundleAgainstTile(*back, std::span<const Hash>(hashes).first(3)).ok());
}

TEST_CASE("hash tiles: 32 bytes a hash, exactly") {
  auto leaves = Leaves(3);
  std::string bytes = EncodeHashTile(leaves);
  CHECK(bytes.size() == 96);
  auto back = DecodeHashTile(bytes, 3);
  REQUIRE(back.ok());
  CHECK(*back == leaves);
  CHECK_FALSE(DecodeHashTile(bytes, 2).ok());
  CHECK_FALSE(DecodeHashTile(bytes + "x", 3).ok());
}

TEST_CASE("tiles hash to the root and give the RFC's proofs, for trees across tile boundaries") {
  for (uint64_t size : {0, 1, 2, 7, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70'000}) {
    CAPTURE(size);
    const auto leaves = Leaves(size);
    const Hash root = RootFromLeafHashes(leaves);
    const TileHashes tiles = SpecTiles(leaves);
    REQUIRE_MESSAGE(VerifyTilesAgainstRoot(size, tiles, root).ok(),
                    VerifyTilesAgainstRoot(size, tiles, root).ToString());

    Hash wrong = root;
    wrong[31] ^= 1;
    CHECK_FALSE(VerifyTilesAgainstRoot(size, tiles, wrong).ok());
    if (size == 0) continue;

    // Every hash of every tile matters: flip one in each tile in turn (the
    // small trees; for the large ones the first and the top tile below).
    for (const auto& [tile, hashes] : tiles) {
      if (tiles.size() > 8) break;
      TileHashes flipped = tiles;
      flipped[tile][hashes.size() / 2][0] ^= 0x80;
      CAPTURE(TilePath(tile));
      CHECK_FALSE(VerifyTilesAgainstRoot(size, flipped, root).ok());
    }
    for (const auto& top : {TilesOfTree(size).back(), TilesOfTree(size).front()}) {
      TileHashes flipped = tiles;
      flipped[top].back()[5] ^= 1;
      CHECK_FALSE(VerifyTilesAgainstRoot(size, flipped, root).ok());
      TileHashes missing = tiles;
      missing.erase(top);
      auto refused = VerifyTilesAgainstRoot(size, missing, root);
      CHECK_FALSE(refused.ok());
      CHECK(refused.message().find("is missing") != std::string::npos);
    }

    // Proofs from tiles equal the RFC's recursive ones.
    std::vector<uint64_t> probes{0, size / 3, size / 2, size - 1};
    for (uint64_t index : probes) {
      auto plan = PlanInclusionProof(index, size);
      REQUIRE(plan.ok());
      auto nodes = NodesFromTiles(plan->AllNodes(), tiles);
      REQUIRE_MESSAGE(nodes.ok(), nodes.status().ToString());
      auto proof = plan->Assemble(*nodes);
      REQUIRE(proof.ok());
      CHECK(*proof == InclusionProof(leaves, index).value());
      CHECK(VerifyInclusion(index, size, leaves[index], *proof, root).ok());
    }
    for (uint64_t old_size : {uint64_t{1}, size / 2 + 1, size}) {
      if (old_size == 0 || old_size > size) continue;
      auto plan = PlanConsistencyProof(old_size, size);
      REQUIRE(plan.ok());
      // The tiles a client fetches for the proof are enough, and are tiles of the tree.
      TileHashes needed;
      for (const Tile& tile : TilesForNodes(plan->AllNodes(), size)) {
        REQUIRE(tiles.count(tile) == 1);
        needed[tile] = tiles.at(tile);
      }
      REQUIRE(NodesFromTiles(plan->AllNodes(), needed).ok());
      auto nodes = NodesFromTiles(plan->AllNodes(), tiles);
      REQUIRE_MESSAGE(nodes.ok(), nodes.status().ToString());
      auto proof = plan->Assemble(*nodes);
      REQUIRE(proof.ok());
      CHECK(*proof == ConsistencyProof(leaves, old_size).value());
    }
  }
}

TEST_CASE("the tiles a proof needs") {
  std::vector<NodeAddress> nodes{{0, 3}, {8, 0}, {3, 33}, {10, 0}, {0, 299}};
  CHECK(TilesForNodes(nodes, 300) == std::vector<Tile>{Hashes(0, 0), Hashes(0, 1, 44), Hashes(1, 0, 1)});
  CHECK(TilesForNodes(nodes, 70'000) == std::vector<Tile>{Hashes(0, 0), Hashes(0, 1), Hashes(1, 0)});
}

TEST_CASE("nodes from tiles: a node needs the tile that holds it") {
  const auto leaves = Leaves(300);
  TileHashes tiles = SpecTiles(leaves);
  // Node (3, 33) covers leaves [264, 272): in tile/0/001.p/44.
  std::vector<NodeAddress> want{{3, 33}};
  auto nodes = NodesFromTiles(want, tiles);
  REQUIRE(nodes.ok());
  CHECK(nodes->at({3, 33}) == RootFromLeafHashes(std::span<const Hash>(leaves).subspan(264, 8)));
  std::vector<NodeAddress> beyond{{3, 37}};  // leaves [296, 304): not complete
  auto refused = NodesFromTiles(beyond, tiles);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("tile/0/001.p/48") != std::string::npos);
  std::vector<NodeAddress> absurd{{600, 0}};
  CHECK_FALSE(NodesFromTiles(absurd, tiles).ok());
}
