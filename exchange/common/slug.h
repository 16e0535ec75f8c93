// SPDX-License-Identifier: Apache-2.0
// Slugs: how organisations and collections are named in paths, reports and
// logs. 1-63 lowercase ASCII letters, digits and '-', not starting or ending
// with '-' (the same rule the database's CHECK constraints enforce).
#pragma once

#include <string_view>

namespace exchange {

bool IsValidSlug(std::string_view slug);

// Slugs that name something else: "all" (coalition-wide report rows),
// "operator" (audit events of operator commands), "audit" (the audit log).
bool IsReservedSlug(std::string_view slug);

}  // namespace exchange
