// SPDX-License-Identifier: Apache-2.0
// What match and lookup make of their inputs before they search: the
// queries, the candidate (kind, canonical value) pairs of a value, the
// hashes of a file.
// Defined in commands/match.cpp; lookup shares them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "formats/match_output.h"
#include "pdq/hasher.h"

namespace exchange::client {

// The (kind, canonical value) pairs a value could be (`kind_name` empty: guessed).
void Resolve(Query& q, const std::string& kind_name);
// MD5, SHA-1 and SHA-256 of the file q.input, added to q.candidates.
Status HashFile(Query& q);
// The queries: each of `values` (source "argument"), each of `files`
// ("file"), or when there are none each non-blank line of stdin ("stdin").
std::vector<Query> ReadQueries(const std::vector<std::string>& values, const std::vector<std::string>& files);
// An image file's PDQ hash (with `dihedral` also its seven rotations and
// flips); empty when the file is not an image.
Result<std::vector<pdq::PdqHash>> ImagePdq(const std::string& path, bool dihedral);

}  // namespace exchange::client
