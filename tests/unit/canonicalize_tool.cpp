// SPDX-License-Identifier: Apache-2.0
// A filter for tests that compare the canonical forms with an independent
// reference (signals_reference_test.py runs Python's idna and unicodedata):
// each input line is "<kind>\t<hex of the UTF-8 value>", each output line
// "ok\t<hex of the canonical value>\t<hex of its look-alike skeleton>" or
// "error\t<the reason>". Hex keeps every byte of both sides exact.
#include <iostream>
#include <string>

#include "common/hex.h"
#include "signals/canonical.h"
#include "signals/kind.h"
#include "signals/look_alike.h"

int main() {
  namespace signals = exchange::signals;
  std::string line;
  while (std::getline(std::cin, line)) {
    const size_t tab = line.find('\t');
    auto kind = signals::ParseKind(line.substr(0, tab));
    auto raw = exchange::HexDecode(tab == std::string::npos ? "" : line.substr(tab + 1));
    if (!kind || !raw.ok()) {
      std::cout << "error\tbad test input line\n";
      continue;
    }
    auto canonical = signals::Canonicalize(*kind, *raw);
    if (!canonical.ok()) {
      std::cout << "error\t" << canonical.status().message() << "\n";
      continue;
    }
    std::cout << "ok\t" << exchange::HexEncode(*canonical) << "\t"
              << exchange::HexEncode(signals::LookAlikeSkeleton(*kind, *canonical)) << "\n";
  }
  return 0;
}
