// SPDX-License-Identifier: Apache-2.0
#include "version/version.h"

#include <openssl/crypto.h>

#include "version/build_info.h"

namespace exchange::version {

BuildInfo Get() {
  return BuildInfo{EXCHANGE_BUILD_VERSION, EXCHANGE_BUILD_COMMIT,
                   EXCHANGE_BUILD_DATE,    OpenSSL_version(OPENSSL_VERSION_STRING),
                   EXCHANGE_BUILD_LIBPQXX, EXCHANGE_BUILD_LIBPQ};
}

std::string VersionText(std::string_view program) {
  const BuildInfo info = Get();
  std::string out(program);
  out += " " + info.version + "\n";
  out += "commit: " + info.commit + "\n";
  out += "built: " + info.build_date + "\n";
  out += "OpenSSL: " + info.openssl + "\n";
  out += "libpqxx: " + info.libpqxx + " (libpq " + info.libpq + ")\n";
  out += "Licence: Apache-2.0 <https://www.apache.org/licenses/LICENSE-2.0>\n";
  return out;
}

}  // namespace exchange::version
