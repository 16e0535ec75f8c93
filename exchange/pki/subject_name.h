// SPDX-License-Identifier: Apache-2.0
// SubjectName: the distinguished name the exchange puts in certificates and
// CSRs. A plain value; copy freely.
#pragma once

#include <string>

namespace exchange::pki {

// common_name is required (at most 64 characters, as X.520 allows); an
// empty organization or organizational_unit is left out of the name. UTF-8.
// Encoded in the order O, OU, CN.
struct SubjectName {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
};

}  // namespace exchange::pki
