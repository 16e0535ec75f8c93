// SPDX-License-Identifier: Apache-2.0
#include "server/commands.h"

#include <cstdio>

#include "common/files.h"
#include "common/flags.h"
#include "common/logger.h"
#include "common/slug.h"
#include "pki/certificate.h"
#include "signals/canonical.h"
#include "signals/kind.h"
#include "signals/look_alike.h"
#include "signals/public_suffix.h"
#include "signals/stored_value.h"
#include "store/credentials.h"
#include "store/migrator.h"
#include "store/signals.h"

namespace exchange::server {
namespace {

int Fail(const Status& status) {
  logging::Error(status.ToString());
  return status.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

// Parses flags; returns -1 to go on, or the exit code to return now.
int ParseFlags(FlagSet& flags, const std::vector<std::string>& args) {
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) return Fail(s);
  if (help) {
    std::fputs(flags.Help().c_str(), stdout);
    return 0;
  }
  return -1;
}

}  // namespace

int RunMigrate(const std::vector<std::string>& args) {
  std::string database;
  FlagSet flags(
      "usage: exchanged migrate --database URL\n\nApplies pending schema migrations; safe to run concurrently.");
  flags.String("database", "EXCHANGE_DATABASE_URL", &database, "PostgreSQL connection URL");
  flags.ConfigFile("config", "EXCHANGE_CONFIG", true, "read --database from FILE (serve's file; other keys ignored)");
  if (int rc = ParseFlags(flags, args); rc >= 0) return rc;
  if (database.empty()) return Fail(Status::InvalidArgument("--database is required"));
  store::Connection conn(database);
  auto applied = store::Migrate(conn);
  if (!applied.ok()) return Fail(applied.status());
  std::printf("%d migrations applied; schema is current\n", *applied);
  return 0;
}

int RunMigrateSignals(const std::vector<std::string>& args) {
  std::string database;
  bool dry_run = false;
  FlagSet flags(
      "usage: exchanged migrate-signals --database URL [--dry-run]\n\n"
      "Re-canonicalises every signal stored under older canonical-form rules (docs/signals.md, \"Canonical-form\n"
      "versions\"): a value whose spelling changed moves, with its contributions, opinions and sightings, to the\n"
      "signal of its new spelling (merging split signals); the old spelling becomes a retracted tombstone; a value\n"
      "the rules now refuse (a public suffix) is retracted. Every change is appended to the collection's feed, so\n"
      "members' mirrors converge. Run `exchanged migrate` first. Idempotent; safe to run while serving.");
  flags.String("database", "EXCHANGE_DATABASE_URL", &database, "PostgreSQL connection URL");
  flags.Bool("dry-run", "", &dry_run, "report what would change and roll everything back");
  if (int rc = ParseFlags(flags, args); rc >= 0) return rc;
  if (database.empty()) return Fail(Status::InvalidArgument("--database is required"));
  store::Connection conn(database);
  auto recanonicalize = [](signals::Kind kind, const std::string& value) -> Result<store::RecanonicalizedValue> {
    auto canonical = signals::RecanonicalizeStored(kind, value);
    if (!canonical.ok()) return canonical.status();
    return store::RecanonicalizedValue{*canonical, signals::LookAlikeSkeleton(kind, *canonical)};
  };
  auto skeleton_of = [](signals::Kind kind, const std::string& value) {
    return signals::LookAlikeSkeleton(kind, value);
  };
  auto report =
      store::RecanonicalizeSignals(conn, signals::kCanonicalFormVersion, recanonicalize, skeleton_of, dry_run);
  if (!report.ok()) return Fail(report.status());
  for (const auto& c : report->changes) {
    if (c.new_value.empty()) {
      std::printf("%s %s %s: retracted (%s)\n", c.collection.c_str(), std::string(signals::KindName(c.kind)).c_str(),
                  c.old_value.c_str(), c.reason.c_str());
    } else {
      std::printf("%s %s %s -> %s\n", c.collection.c_str(), std::string(signals::KindName(c.kind)).c_str(),
                  c.old_value.c_str(), c.new_value.c_str());
    }
  }
  std::printf(
      "%scanonical forms version %d (public suffix list: %s): %lld signals examined in %d collections, %lld unchanged, "
      "%lld respelled (%lld merged into an existing signal), %lld retracted as no longer valid, %llu feed entries\n",
      dry_run ? "dry run, nothing changed: " : "", signals::kCanonicalFormVersion,
      signals::PublicSuffixListSource().c_str(), static_cast<long long>(report->examined), report->collections,
      static_cast<long long>(report->unchanged), static_cast<long long>(report->respelled),
      static_cast<long long>(report->merged), static_cast<long long>(report->refused),
      static_cast<unsigned long long>(report->entries));
  return 0;
}

int RunCredentialsAdd(const std::vector<std::string>& args) {
  std::string database, org, org_name, role = "member", cert_file, holder;
  FlagSet flags(
      "usage: exchanged credentials add --database URL --org SLUG --org-name NAME --role ROLE --cert FILE "
      "[--holder PERSON]\n\n"
      "Registers a client certificate issued by the coalition CA for an organisation (created if new).");
  flags.String("database", "EXCHANGE_DATABASE_URL", &database, "PostgreSQL connection URL");
  flags.ConfigFile("config", "EXCHANGE_CONFIG", true, "read --database from FILE (serve's file; other keys ignored)");
  flags.String("org", "", &org, "organisation slug (lowercase letters, digits, '-')");
  flags.String("org-name", "", &org_name, "organisation display name (defaults to the slug)");
  flags.String("role", "", &role, "member, admin or auditor");
  flags.String("cert", "", &cert_file, "the credential's certificate (PEM)");
  flags.String("holder", "", &holder,
               "the person who holds it (default: the certificate's CN); an admin's certificates all name the same "
               "holder, and the two-admin rule counts holders");
  if (int rc = ParseFlags(flags, args); rc >= 0) return rc;
  if (database.empty() || org.empty() || cert_file.empty()) {
    return Fail(Status::InvalidArgument("--database, --org and --cert are required"));
  }
  if (!IsValidSlug(org)) return Fail(Status::InvalidArgument("'" + org + "' is not a valid organisation slug"));
  if (IsReservedSlug(org)) return Fail(Status::InvalidArgument("slug '" + org + "' is reserved"));
  const auto parsed_role = ParseRole(role);
  if (!parsed_role) return Fail(Status::InvalidArgument("--role must be member, admin or auditor"));
  auto pem = ReadFile(cert_file, 64 * 1024);
  if (!pem.ok()) return Fail(pem.status());
  auto cert = pki::Certificate::FromPem(*pem);
  if (!cert.ok()) return Fail(cert.status());

  store::NewCredential credential;
  credential.org_slug = org;
  credential.org_name = org_name.empty() ? org : org_name;
  credential.role = *parsed_role;
  for (auto [field, value] :
       {std::pair{&credential.holder, holder.empty() ? cert->SubjectCommonName() : Result<std::string>(holder)},
        std::pair{&credential.fingerprint, cert->Sha256Fingerprint()},
        std::pair{&credential.serial_hex, cert->SerialHex()}, std::pair{&credential.not_after, cert->NotAfter()},
        std::pair{&credential.certificate_pem, cert->ToPem()}}) {
    if (!value.ok()) return Fail(value.status());
    *field = *value;
  }
  if (role == "admin" && credential.holder.empty()) {
    return Fail(
        Status::InvalidArgument("an admin credential needs a holder: give --holder (its certificate has no CN)"));
  }
  v1::AuditEvent event;
  event.set_actor_org("operator");
  event.set_actor_role("operator");
  event.set_action("credential.register");
  event.set_subject("org:" + org + "/credential:" + credential.fingerprint);
  (*event.mutable_details())["role"] = role;
  (*event.mutable_details())["holder"] = credential.holder;
  store::Connection conn(database);
  auto row = store::RegisterCredential(conn, credential, event);
  if (!row.ok()) return Fail(row.status());
  std::printf("registered %s credential %lld for %s (fingerprint %s)\n", std::string(RoleName(row->role)).c_str(),
              static_cast<long long>(row->credential_id), row->org_slug.c_str(), row->fingerprint.c_str());
  return 0;
}

}  // namespace exchange::server
