// SPDX-License-Identifier: Apache-2.0
// Well-formed values of the hash kinds for tests that need one, already in
// canonical form (lowercase hex): the MD5, SHA-1 and SHA-256 digests of the
// empty input, and a PDQ hash.
//
// Header-only, no dependencies.
#pragma once

#include <string>

namespace exchange::testing {

inline const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";
inline const std::string kSha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
inline const std::string kSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline const std::string kPdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

}  // namespace exchange::testing
