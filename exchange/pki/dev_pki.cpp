// SPDX-License-Identifier: Apache-2.0
#include "pki/dev_pki.h"

#include <set>
#include <string_view>
#include <system_error>

#include "common/files.h"
#include "pki/certificate.h"
#include "pki/issue.h"
#include "pki/key.h"

namespace exchange::pki {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOrganization = "Coalition Hash Exchange (dev)";
constexpr std::string_view kReservedNames[] = {"root-ca", "issuing-ca", "ca-bundle", "server", "foreign"};
constexpr fs::perms kDirectoryPerms = fs::perms::owner_all;  // 0700

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64) return false;
  for (char c : slug) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsValidClientName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status CheckClients(const std::vector<DevClient>& clients) {
  if (clients.empty()) return Status::InvalidArgument("no client credentials requested");
  std::set<std::string> seen;
  for (const DevClient& client : clients) {
    if (!IsValidClientName(client.name)) {
      return Status::InvalidArgument("invalid client name \"" + client.name +
                                     "\" (letters, digits, '-', '_'; at most 64)");
    }
    for (std::string_view reserved : kReservedNames) {
      if (client.name == reserved) {
        return Status::InvalidArgument("client name \"" + client.name + "\" is reserved");
      }
    }
    if (!seen.insert(client.name).second) {
      return Status::InvalidArgument("client name \"" + client.name + "\" given twice");
    }
    if (!IsValidSlug(client.org_slug)) {
      return Status::InvalidArgument("invalid org slug \"" + client.org_slug + "\" (lowercase letters, digits, '-')");
    }
  }
  return Status::Ok();
}

// Creates `dir` (0700) or, with `force`, accepts an existing one.
Status PrepareDirectory(const fs::path& dir, bool force) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dir, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      return Status::FailedPrecondition(dir.string() + " exists and is not a directory");
    }
    bool empty = fs::is_empty(dir, ec);
    if (ec) return Status::Internal("cannot list " + dir.string() + ": " + ec.message());
    if (!empty && !force) {
      return Status::AlreadyExists(dir.string() + " is not empty; refusing to overwrite");
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  }
  fs::permissions(dir, kDirectoryPerms, fs::perm_options::replace, ec);
  if (ec) return Status::Internal("cannot chmod " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

// A certificate and the key it certifies, as written to disk.
struct Issued {
  PrivateKey key;
  Certificate cert;
};

// Writes NAME.key (0600) and NAME.pem holding `cert` followed by `chain`.
Status WritePair(const fs::path& dir, const std::string& name, const Issued& issued,
                 const std::vector<const Certificate*>& chain) {
  Result<std::string> key_pem = issued.key.ToPem();
  if (!key_pem.ok()) return key_pem.status();
  Result<std::string> cert_pem = issued.cert.ToPem();
  if (!cert_pem.ok()) return cert_pem.status();
  std::string contents = std::move(cert_pem).value();
  for (const Certificate* link : chain) {
    Result<std::string> link_pem = link->ToPem();
    if (!link_pem.ok()) return link_pem.status();
    contents += *link_pem;
  }
  if (Status s = WritePrivateFile(dir / (name + ".key"), *key_pem); !s.ok()) return s;
  return WritePublicFile(dir / (name + ".pem"), contents);
}

Result<Issued> NewRoot(std::string common_name, std::chrono::seconds validity) {
  Result<PrivateKey> key = PrivateKey::GenerateP256();
  if (!key.ok()) return key.status();
  Result<Certificate> cert = MakeRootCa(*key, {std::move(common_name), std::string(kOrganization), ""}, validity);
  if (!cert.ok()) return cert.status();
  return Issued{std::move(key).value(), std::move(cert).value()};
}

// A fresh P-256 key and a certificate for it from `issue(public key)`.
template <typename IssueFn>
Result<Issued> NewLeaf(IssueFn issue) {
  Result<PrivateKey> key = PrivateKey::GenerateP256();
  if (!key.ok()) return key.status();
  Result<PublicKey> public_key = key->GetPublicKey();
  if (!public_key.ok()) return public_key.status();
  Result<Certificate> cert = issue(*public_key);
  if (!cert.ok()) return cert.status();
  return Issued{std::move(key).value(), std::move(cert).value()};
}

}  // namespace

std::vector<DevClient> DefaultDevClients() {
  return {
      {"admin1", "coalition"}, {"admin2", "coalition"}, {"auditor", "coalition"}, {"alpha", "alpha"}, {"beta", "beta"}};
}

Status InitDevPki(const fs::path& dir, const DevPkiOptions& options) {
  if (Status s = CheckClients(options.clients); !s.ok()) return s;
  if (Status s = PrepareDirectory(dir, options.force); !s.ok()) return s;
  const std::chrono::seconds validity = options.validity;

  Result<Issued> root = NewRoot("Coalition Hash Exchange Dev Root CA", validity);
  if (!root.ok()) return root.status();
  Result<Issued> issuing = NewLeaf([&](const PublicKey& key) {
    return IssueIntermediateCa(root->cert, root->key, key,
                               {"Coalition Hash Exchange Dev Issuing CA", std::string(kOrganization), ""}, validity);
  });
  if (!issuing.ok()) return issuing.status();
  Result<Issued> server = NewLeaf([&](const PublicKey& key) {
    return IssueServerCert(issuing->cert, issuing->key, key, {"localhost", std::string(kOrganization), ""},
                           {"localhost"}, {"127.0.0.1", "::1"}, validity);
  });
  if (!server.ok()) return server.status();

  if (Status s = WritePair(dir, "root-ca", *root, {}); !s.ok()) return s;
  if (Status s = WritePair(dir, "issuing-ca", *issuing, {}); !s.ok()) return s;
  {
    Result<std::string> issuing_pem = issuing->cert.ToPem();
    if (!issuing_pem.ok()) return issuing_pem.status();
    Result<std::string> root_pem = root->cert.ToPem();
    if (!root_pem.ok()) return root_pem.status();
    if (Status s = WritePublicFile(dir / "ca-bundle.pem", *issuing_pem + *root_pem); !s.ok()) {
      return s;
    }
  }
  if (Status s = WritePair(dir, "server", *server, {&issuing->cert}); !s.ok()) return s;

  for (const DevClient& client : options.clients) {
    Result<Issued> issued = NewLeaf([&](const PublicKey& key) {
      return IssueClientCert(issuing->cert, issuing->key, key, {client.name, client.org_slug, ""}, validity);
    });
    if (!issued.ok()) return issued.status();
    if (Status s = WritePair(dir, client.name, *issued, {&issuing->cert}); !s.ok()) return s;
  }

  // The impostor: same subject as the first client, but from a root the
  // exchange does not trust.
  const fs::path foreign_dir = dir / "foreign";
  if (Status s = PrepareDirectory(foreign_dir, /*force=*/true); !s.ok()) return s;
  Result<Issued> foreign_root = NewRoot("Foreign Dev Root CA", validity);
  if (!foreign_root.ok()) return foreign_root.status();
  const DevClient& imitated = options.clients.front();
  Result<Issued> foreign_client = NewLeaf([&](const PublicKey& key) {
    return IssueClientCert(foreign_root->cert, foreign_root->key, key, {imitated.name, imitated.org_slug, ""},
                           validity);
  });
  if (!foreign_client.ok()) return foreign_client.status();
  if (Status s = WritePair(foreign_dir, "root-ca", *foreign_root, {}); !s.ok()) return s;
  return WritePair(foreign_dir, "client", *foreign_client, {});
}

}  // namespace exchange::pki
