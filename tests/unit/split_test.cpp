// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "common/split.h"

using exchange::SplitNonEmpty;
using List = std::vector<std::string>;

TEST_CASE("split: pieces in order, empty pieces dropped") {
  CHECK(SplitNonEmpty("", ',') == List{});
  CHECK(SplitNonEmpty(",,", ',') == List{});
  CHECK(SplitNonEmpty("md5", ',') == List{"md5"});
  CHECK(SplitNonEmpty("md5,pdq", ',') == List{"md5", "pdq"});
  CHECK(SplitNonEmpty(",pdq,,md5,", ',') == List{"pdq", "md5"});
  CHECK(SplitNonEmpty("a b;c", ';') == List{"a b", "c"});
}
