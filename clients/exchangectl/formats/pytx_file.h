// SPDX-License-Identifier: Apache-2.0
// The signal file python-threatexchange reads (its LocalFileSignalExchangeAPI,
// a "file" collaboration in `tx` and Meta's Hasher-Matcher-Actioner): one
// `<signal type> <value>` line per signal, the type being pytx's
// SignalType.get_name(). pytx strips each line and splits it at the first
// space, so a value with a line break or surrounding white space cannot be
// carried and is left out.
//
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace exchange::client {

// pytx's name for our kind: md5 → video_md5, sha256 → video_sha256, pdq → pdq,
// url → url, keyword → raw_text, vpdq → vpdq (its value is pytx's frame
// list). nullopt for the kinds pytx has no type for (sha1, photodna, domain,
// account_id, and tmk_pdqf whose value pytx cannot read).
std::optional<std::string_view> PytxSignalType(std::string_view kind);

// The line for one signal ("video_md5 d41d...\n"), or nullopt when pytx has
// no type for the kind or could not read the value back from a line.
std::optional<std::string> PytxLine(std::string_view kind, std::string_view value);

}  // namespace exchange::client
