// SPDX-License-Identifier: Apache-2.0
// A throwaway PKI for development, tests and the sandbox
// (`exchangectl pki init DIR`). Never for production: every key, including
// the root's, is written unencrypted to disk.
//
// Layout of DIR (mode 0700; keys 0600, everything else 0644):
//   root-ca.pem, root-ca.key        the coalition root
//   issuing-ca.pem, issuing-ca.key  the issuing CA exchanged holds (pathlen:0)
//   ca-bundle.pem                   issuing CA + root: what the server trusts
//                                   for clients and clients trust for the server
//   server.pem, server.key          CN localhost, SAN DNS:localhost,
//                                   IP:127.0.0.1, IP:::1; leaf + issuing CA
//   NAME.pem, NAME.key              one client credential per option entry,
//                                   subject O=org slug, CN=NAME; leaf + issuing CA
//   foreign/root-ca.pem, .key       an unrelated root CA
//   foreign/client.pem, .key        a client certificate from that root with
//                                   the same subject as the first client (an
//                                   impostor the exchange must refuse)
// All keys are P-256.
//
// Stateless; InitDevPki owns nothing past the call. Not for concurrent use
// on the same DIR.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace exchange::pki {

struct DevClient {
  std::string name;      // file stem and CN: letters, digits, '-', '_'
  std::string org_slug;  // subject O: lowercase letters, digits, '-'
};

// The sandbox's cast: two admins and an auditor of the coalition itself
// (org slug "coalition"), and the member organisations alpha and beta.
std::vector<DevClient> DefaultDevClients();

struct DevPkiOptions {
  std::vector<DevClient> clients = DefaultDevClients();
  // For every certificate; the leaves never outlive their CA.
  std::chrono::seconds validity = std::chrono::hours(24 * 365);
  // Write into a DIR that already has files (those of the same name are
  // replaced; others are left alone).
  bool force = false;
};

// Creates DIR (and parents) and the files above. AlreadyExists when DIR is a
// non-empty directory and !options.force; InvalidArgument for a client name
// or slug outside the allowed characters, a duplicate or reserved name
// (root-ca, issuing-ca, ca-bundle, server, foreign), or an empty list.
Status InitDevPki(const std::filesystem::path& dir, const DevPkiOptions& options = {});

}  // namespace exchange::pki
