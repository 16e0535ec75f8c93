// SPDX-License-Identifier: Apache-2.0
// store/signals.cpp against a real PostgreSQL: submission outcomes and
// idempotency, opinions and the dispute rule, retraction, expiry, the states
// the feed carries, the grant every write re-checks in its own transaction,
// and the counts the triggers of signals keep for the gauges (signal_counts).
// Also that the C++ state of a created signal (signals::CreatedState) is what
// the SQL view signal_states says of it, and that the PDQ index behind lookups
// (services::PdqLookup) answers only once loaded.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "exchange/v1/feed.pb.h"
#include "services/pdq_lookup.h"
#include "signals/kind.h"
#include "signals/match.h"
#include "store/collections.h"
#include "store/credentials.h"
#include "store/logs.h"
#include "store/metrics_figures.h"
#include "store/migrator.h"
#include "store/signals.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::PgCluster;
using exchange::testing::RunCommand;
using signals::Kind;

namespace {

void Psql(const std::string& url, const std::string& sql) {
  auto r = RunCommand("psql -q -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\" 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

v1::AuditEvent Event(const std::string& action) {
  v1::AuditEvent event;
  event.set_action(action);
  return event;
}

// A migrated database with three member organisations and a collection on
// which alpha and beta may write and gamma may read.
struct Exchange {
  explicit Exchange(bool anonymous = false, int dispute_min_orgs = 2)
      : url(PgCluster::Shared().CreateDatabase()), conn(url) {
    REQUIRE(store::Migrate(conn).ok());
    char fingerprint = 'a';
    for (const char* org : {"alpha", "beta", "gamma"}) {
      store::NewCredential c;
      c.org_slug = org;
      c.org_name = std::string("Org ") + org;
      c.role = Role::kMember;
      c.fingerprint = std::string(64, fingerprint++);
      c.serial_hex = "01";
      c.not_after = "2099-01-01T00:00:00Z";
      c.certificate_pem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
      auto row = store::RegisterCredential(conn, c);
      REQUIRE_MESSAGE(row.ok(), row.status().ToString());
      org_ids[org] = row->org_id;
    }
    store::CollectionRow spec;
    spec.name = "hashes";
    spec.attribution = anonymous ? "anonymous" : "named";
    spec.dispute_min_orgs = dispute_min_orgs;
    auto created = store::CreateCollection(conn, spec, Event("collection.create"));
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    ref = {created->id, created->log_id,           created->name,
           anonymous,   created->dispute_min_orgs, created->dispute_needs_majority};
    Grant("alpha", store::GrantAccess::kWrite);
    Grant("beta", store::GrantAccess::kWrite);
    Grant("gamma", store::GrantAccess::kRead);
  }

  void Grant(const std::string& org, store::GrantAccess access) {
    REQUIRE(store::SetGrant(conn, ref.name, org, access, Event("grant.set")).ok());
  }

  // Submits `items` as `org`; the response lists the outcomes.
  Result<store::SubmitReply> Submit(const std::string& org, std::vector<store::SignalItem> items,
                                    const std::string& key = "", const std::string& request = "request") {
    store::SubmitBatch batch;
    batch.collection = ref;
    batch.org_id = org_ids.at(org);
    batch.org_slug = org;
    batch.idempotency_key = key;
    batch.request_sha256 = request;
    batch.items = std::move(items);
    return store::SubmitSignals(conn, batch, RenderOutcomes);
  }

  static std::string RenderOutcomes(const std::vector<store::SubmitOutcome>& outcomes, const store::LogHead&) {
    std::string out;
    for (auto o : outcomes) {
      out += o == store::SubmitOutcome::kCreated             ? "created "
             : o == store::SubmitOutcome::kContributionAdded ? "added "
                                                             : "unchanged ";
    }
    return out;
  }

  // Every entry of the collection's feed, decoded.
  std::vector<v1::FeedEntry> Feed() {
    auto head = store::FindLog(conn, ref.name);
    REQUIRE(head.ok());
    std::vector<v1::FeedEntry> out;
    if (head->size == 0) return out;
    auto entries = store::ReadEntries(conn, head->log_id, 0, head->size, head->size);
    REQUIRE(entries.ok());
    for (const auto& bytes : *entries) {
      v1::FeedEntry entry;
      REQUIRE(entry.ParseFromString(bytes));
      out.push_back(std::move(entry));
    }
    return out;
  }

  // The view's state of one signal (SignalStatesByValue reads signal_states).
  v1::SignalState ViewState(Kind kind, const std::string& value) {
    auto states = store::SignalStatesByValue(conn, ref, kind, {value});
    REQUIRE_MESSAGE(states.ok(), states.status().ToString());
    REQUIRE(states->count(value) == 1);
    return states->at(value);
  }

  std::string url;
  store::Connection conn;
  std::map<std::string, int64_t> org_ids;
  store::CollectionRef ref;
};

std::string Hex(char c, std::size_t n) { return std::string(n, c); }

store::SignalItem Item(Kind kind, const std::string& value) {
  store::SignalItem item;
  item.kind = kind;
  item.value = value;
  return item;
}

store::SignalKey Key(Kind kind, const std::string& value) { return {kind, value}; }

}  // namespace

TEST_CASE("the C++ state of a created signal is the state the view signal_states gives it") {
  for (bool anonymous : {false, true}) {
    CAPTURE(anonymous);
    Exchange ex(anonymous);
    std::vector<store::SignalItem> items;
    auto plain = Item(Kind::kMd5, Hex('1', 32));  // nothing but the value
    items.push_back(plain);
    auto full = Item(Kind::kSha256, Hex('2', 64));
    full.category = "A1";
    full.labels = {"zeta", "alpha", "zeta"};  // repeats and out of order
    full.principles = {7, 2, 7, 1};
    full.reviewed = true;
    full.source_ref = "case-9";
    items.push_back(full);
    auto pdq_low = Item(Kind::kPdq, Hex('3', 64));
    pdq_low.pdq_quality = 40;
    pdq_low.labels = {"first"};
    items.push_back(pdq_low);
    auto pdq_high = pdq_low;  // the same signal again: the best quality counts, the first contribution stands
    pdq_high.pdq_quality = 90;
    pdq_high.labels = {"second"};
    items.push_back(pdq_high);
    auto domain = Item(Kind::kDomain, "example.org");
    domain.category = "B2";
    domain.principles = {11};
    items.push_back(domain);

    auto reply = ex.Submit("alpha", items);
    REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
    CHECK(reply->response == "created created created unchanged created ");

    auto feed = ex.Feed();
    REQUIRE(feed.size() == 4);
    for (const auto& entry : feed) {
      CAPTURE(entry.signal().value());
      CHECK(entry.change() == v1::FeedEntry::CREATED);
      CHECK(entry.collection() == "hashes");
      const auto view = ex.ViewState(*signals::ParseKind(entry.signal().kind()), entry.signal().value());
      CHECK(entry.signal().DebugString() == view.DebugString());
    }
    // And what the cases were about, so agreement is not agreement on nothing.
    const auto pdq = ex.ViewState(Kind::kPdq, pdq_low.value);
    CHECK(pdq.pdq_quality() == 90);
    REQUIRE(pdq.labels_size() == 1);
    CHECK(pdq.labels(0) == "first");
    const auto sha = ex.ViewState(Kind::kSha256, full.value);
    CHECK(sha.labels_size() == 2);
    CHECK(sha.principles_size() == 3);
    CHECK(sha.reviewed());
    CHECK(sha.contributor_orgs_size() == (anonymous ? 0 : 1));
  }
}

TEST_CASE("submit: created, a second organisation's contribution, unchanged; a key replays or conflicts") {
  Exchange ex;
  const auto value = Hex('a', 32);
  auto first = ex.Submit("alpha", {Item(Kind::kMd5, value)}, "key-1", "sha-1");
  REQUIRE(first.ok());
  CHECK(first->response == "created ");
  CHECK_FALSE(first->replayed);
  CHECK(first->head.size == 1);

  auto second = ex.Submit("beta", {Item(Kind::kMd5, value)});
  REQUIRE(second.ok());
  CHECK(second->response == "added ");
  CHECK(ex.ViewState(Kind::kMd5, value).contributors() == 2);

  auto again = ex.Submit("alpha", {Item(Kind::kMd5, value)});
  REQUIRE(again.ok());
  CHECK(again->response == "unchanged ");
  CHECK(again->head.size == 2);  // no entry for no change

  auto replay = ex.Submit("alpha", {Item(Kind::kMd5, Hex('b', 32))}, "key-1", "sha-1");
  REQUIRE(replay.ok());
  CHECK(replay->replayed);
  CHECK(replay->response == "created ");
  CHECK(replay->head.size == 2);
  auto missing = store::SignalStatesByValue(ex.conn, ex.ref, Kind::kMd5, {Hex('b', 32)});
  REQUIRE(missing.ok());
  CHECK(missing->empty());  // the replay wrote nothing

  auto conflict = ex.Submit("alpha", {Item(Kind::kMd5, value)}, "key-1", "sha-2");
  CHECK(conflict.status().code() == ErrorCode::kConflict);
  // Keys are per organisation.
  auto other = ex.Submit("beta", {Item(Kind::kMd5, Hex('c', 32))}, "key-1", "sha-2");
  REQUIRE(other.ok());
  CHECK_FALSE(other->replayed);

  auto feed = ex.Feed();
  REQUIRE(feed.size() == 3);
  CHECK(feed[1].change() == v1::FeedEntry::PROVENANCE);
  CHECK(feed[1].signal().contributors() == 2);
}

TEST_CASE("opinions: one per organisation, and disputes move the status by the collection's rule") {
  Exchange ex(false, 2);
  const auto value = Hex('d', 32);
  REQUIRE(ex.Submit("alpha", {Item(Kind::kMd5, value)}).ok());

  auto one =
      store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("beta"),
                            {{Key(Kind::kMd5, value), true, "not ours"}, {Key(Kind::kMd5, Hex('e', 32)), true, ""}});
  REQUIRE(one.ok());
  REQUIRE(one->size() == 2);
  CHECK((*one)[0].ok());
  CHECK((*one)[1].code() == ErrorCode::kNotFound);
  auto state = ex.ViewState(Kind::kMd5, value);
  CHECK(state.disputes() == 1);
  CHECK(state.status() == "active");  // one dispute is below the rule's two

  const auto size_before = ex.Feed().size();
  auto same =
      store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("beta"), {{Key(Kind::kMd5, value), true, "not ours"}});
  REQUIRE(same.ok());
  CHECK(ex.Feed().size() == size_before);  // the same opinion again changes nothing

  // A read grant is enough to give an opinion.
  auto two = store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("gamma"), {{Key(Kind::kMd5, value), true, ""}});
  REQUIRE(two.ok());
  state = ex.ViewState(Kind::kMd5, value);
  CHECK(state.disputes() == 2);
  CHECK(state.status() == "disputed");
  auto feed = ex.Feed();
  CHECK(feed.back().change() == v1::FeedEntry::STATUS);
  CHECK(feed.back().signal().status() == "disputed");

  // Beta changes its mind: one dispute, one confirmation; active again.
  auto changed = store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("beta"), {{Key(Kind::kMd5, value), false, ""}});
  REQUIRE(changed.ok());
  state = ex.ViewState(Kind::kMd5, value);
  CHECK(state.confirmations() == 1);
  CHECK(state.disputes() == 1);
  CHECK(state.status() == "active");
  CHECK(ex.Feed().back().change() == v1::FeedEntry::STATUS);
}

TEST_CASE("retract: only an organisation's own live contribution; the last one leaves a tombstone") {
  Exchange ex;
  const auto value = Hex('f', 32);
  REQUIRE(ex.Submit("alpha", {Item(Kind::kMd5, value)}).ok());
  REQUIRE(ex.Submit("beta", {Item(Kind::kMd5, value)}).ok());

  auto r = store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("alpha"),
                                       {Key(Kind::kMd5, value), Key(Kind::kMd5, Hex('0', 32))});
  REQUIRE(r.ok());
  CHECK((*r)[0].ok());
  CHECK((*r)[1].code() == ErrorCode::kNotFound);
  auto again = store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("alpha"), {Key(Kind::kMd5, value)});
  REQUIRE(again.ok());
  CHECK((*again)[0].code() == ErrorCode::kFailedPrecondition);
  auto state = ex.ViewState(Kind::kMd5, value);
  CHECK(state.contributors() == 1);
  CHECK(state.status() == "active");

  REQUIRE(store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("beta"), {Key(Kind::kMd5, value)}).ok());
  state = ex.ViewState(Kind::kMd5, value);
  CHECK(state.contributors() == 0);
  CHECK(state.status() == "retracted");
  CHECK(ex.Feed().back().change() == v1::FeedEntry::STATUS);

  // The tombstone stays and a new contribution revives it.
  auto revived = ex.Submit("alpha", {Item(Kind::kMd5, value)});
  REQUIRE(revived.ok());
  CHECK(revived->response == "added ");
  CHECK(ex.ViewState(Kind::kMd5, value).status() == "active");

  auto view = store::LookupSignal(ex.conn, ex.ref, ex.org_ids.at("alpha"), Key(Kind::kMd5, value));
  REQUIRE(view.ok());
  REQUIRE(view->has_value());
  REQUIRE((*view)->contributions.size() == 2);
  for (const auto& c : (*view)->contributions) {
    CHECK(c.retracted_at.empty() == (c.org == "alpha"));
    CHECK(c.own == (c.org == "alpha"));
  }
}

TEST_CASE("own contributions: only the organisation's, newest first, paged, retracted ones included") {
  Exchange ex;
  const auto a = Hex('a', 32), b = Hex('b', 32), c = Hex('c', 32);
  for (const auto& value : {a, b, c}) REQUIRE(ex.Submit("alpha", {Item(Kind::kMd5, value)}).ok());
  REQUIRE(ex.Submit("beta", {Item(Kind::kMd5, b), Item(Kind::kMd5, Hex('d', 32))}).ok());
  REQUIRE(store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("alpha"), {Key(Kind::kMd5, c)}).ok());
  REQUIRE(
      store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("gamma"), {{Key(Kind::kMd5, b), true, "not ours"}}).ok());
  REQUIRE(store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("beta"), {{Key(Kind::kMd5, a), false, ""}}).ok());

  auto all = store::ListOwnContributions(ex.conn, ex.ref.id, ex.org_ids.at("alpha"), 0, 10);
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  CHECK(all->total == 3);
  REQUIRE(all->rows.size() == 3);
  CHECK(all->rows[0].value == c);
  CHECK(all->rows[1].value == b);
  CHECK(all->rows[2].value == a);
  CHECK(all->rows[0].kind == "md5");
  CHECK(!all->rows[0].retracted_at.empty());
  CHECK(all->rows[0].signal_status == "retracted");
  CHECK(all->rows[1].retracted_at.empty());
  CHECK(all->rows[1].signal_status == "active");
  CHECK(all->rows[1].disputes == 1);
  CHECK(all->rows[1].confirmations == 0);
  CHECK(all->rows[2].confirmations == 1);
  CHECK(all->rows[2].disputes == 0);

  auto middle = store::ListOwnContributions(ex.conn, ex.ref.id, ex.org_ids.at("alpha"), 1, 1);
  REQUIRE(middle.ok());
  CHECK(middle->total == 3);
  REQUIRE(middle->rows.size() == 1);
  CHECK(middle->rows[0].value == b);
  auto past = store::ListOwnContributions(ex.conn, ex.ref.id, ex.org_ids.at("alpha"), 3, 10);
  REQUIRE(past.ok());
  CHECK(past->rows.empty());

  auto beta = store::ListOwnContributions(ex.conn, ex.ref.id, ex.org_ids.at("beta"), 0, 10);
  REQUIRE(beta.ok());
  CHECK(beta->total == 2);
  auto gamma = store::ListOwnContributions(ex.conn, ex.ref.id, ex.org_ids.at("gamma"), 0, 10);
  REQUIRE(gamma.ok());
  CHECK(gamma->total == 0);
  CHECK(gamma->rows.empty());
}

TEST_CASE("expiry: an expired contribution is published once, and a signal left with none is retracted") {
  Exchange ex;
  auto lasting = Item(Kind::kMd5, Hex('7', 32));
  auto expiring = Item(Kind::kMd5, Hex('8', 32));
  expiring.expires_at = "2099-01-01T00:00:00Z";
  expiring.labels = {"soon"};
  REQUIRE(ex.Submit("alpha", {lasting, expiring}).ok());
  auto nothing = store::ApplyExpiries(ex.conn);
  REQUIRE(nothing.ok());
  CHECK(*nothing == 0);

  Psql(ex.url, "UPDATE contributions SET expires_at = now() - interval '1 minute' WHERE expires_at IS NOT NULL");
  const auto size_before = ex.Feed().size();
  auto applied = store::ApplyExpiries(ex.conn);
  REQUIRE_MESSAGE(applied.ok(), applied.status().ToString());
  CHECK(*applied == 1);
  auto feed = ex.Feed();
  REQUIRE(feed.size() == size_before + 1);
  CHECK(feed.back().signal().value() == expiring.value);
  CHECK(feed.back().signal().status() == "retracted");
  CHECK(feed.back().signal().labels_size() == 0);
  CHECK(ex.ViewState(Kind::kMd5, lasting.value).status() == "active");

  auto twice = store::ApplyExpiries(ex.conn);
  REQUIRE(twice.ok());
  CHECK(*twice == 0);
  CHECK(ex.Feed().size() == size_before + 1);
}

TEST_CASE("every write checks the organisation's grant in its own transaction") {
  Exchange ex;
  const auto value = Hex('9', 32);
  REQUIRE(ex.Submit("alpha", {Item(Kind::kMd5, value)}).ok());
  const auto size = ex.Feed().size();

  // A read grant: no submission, no retraction; an opinion is fine.
  auto read_only = ex.Submit("gamma", {Item(Kind::kMd5, Hex('5', 32))});
  CHECK(read_only.status().code() == ErrorCode::kPermissionDenied);
  CHECK(read_only.status().message().find("may read but not write") != std::string::npos);
  auto retract = store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("gamma"), {Key(Kind::kMd5, value)});
  CHECK(retract.status().code() == ErrorCode::kPermissionDenied);

  // No grant at all: nothing, sightings included (refused per item).
  ex.Grant("gamma", store::GrantAccess::kNone);
  auto opinion = store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("gamma"), {{Key(Kind::kMd5, value), true, ""}});
  CHECK(opinion.status().code() == ErrorCode::kPermissionDenied);
  auto sightings = store::RecordSightings(ex.conn, ex.org_ids.at("gamma"),
                                          {{ex.ref.id, Key(Kind::kMd5, value), 1700000000, "removed", 60}});
  REQUIRE(sightings.ok());
  REQUIRE(sightings->size() == 1);
  CHECK((*sightings)[0].code() == ErrorCode::kPermissionDenied);
  auto allowed = store::RecordSightings(ex.conn, ex.org_ids.at("beta"),
                                        {{ex.ref.id, Key(Kind::kMd5, value), 1700000000, "removed", 60}});
  REQUIRE(allowed.ok());
  CHECK((*allowed)[0].ok());

  // The grant checked by the caller is revoked before the write: the write is refused.
  auto access = store::FindCollectionAccess(ex.conn, ex.ref.name, ex.org_ids.at("beta"));
  REQUIRE(access.ok());
  REQUIRE(access->has_value());
  CHECK((*access)->access == store::GrantAccess::kWrite);
  ex.Grant("beta", store::GrantAccess::kNone);
  auto late = ex.Submit("beta", {Item(Kind::kMd5, Hex('6', 32))});
  CHECK(late.status().code() == ErrorCode::kPermissionDenied);
  CHECK(late.status().message().find("no access to collection hashes") != std::string::npos);
  CHECK(ex.Feed().size() == size);
  auto none = store::SignalStatesByValue(ex.conn, ex.ref, Kind::kMd5, {Hex('5', 32), Hex('6', 32)});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("a grant revoked while a write is in flight waits for it: the write holds its grant until commit") {
  Exchange ex;
  std::promise<void> rendering, release;
  auto released = release.get_future().share();
  auto writer = std::async(std::launch::async, [&] {
    store::Connection conn(ex.url);
    store::SubmitBatch batch;
    batch.collection = ex.ref;
    batch.org_id = ex.org_ids.at("beta");
    batch.org_slug = "beta";
    batch.items = {Item(Kind::kMd5, Hex('4', 32))};
    return store::SubmitSignals(conn, batch, [&](const std::vector<store::SubmitOutcome>& o, const store::LogHead& h) {
      rendering.set_value();  // inside the transaction, after the grant check
      released.wait();
      return Exchange::RenderOutcomes(o, h);
    });
  });
  rendering.get_future().wait();
  auto revoker = std::async(std::launch::async, [&] {
    store::Connection conn(ex.url);
    return store::SetGrant(conn, ex.ref.name, "beta", store::GrantAccess::kNone, Event("grant.set"));
  });
  // The revocation waits on the grant row the write holds.
  CHECK(revoker.wait_for(std::chrono::milliseconds(500)) == std::future_status::timeout);
  release.set_value();
  auto written = writer.get();
  REQUIRE_MESSAGE(written.ok(), written.status().ToString());
  CHECK(written->response == "created ");
  CHECK(revoker.get().ok());
  // Once revoked, nothing more gets through.
  CHECK(ex.Submit("beta", {Item(Kind::kMd5, Hex('3', 32))}).status().code() == ErrorCode::kPermissionDenied);
}

TEST_CASE("the PDQ index behind lookups answers only once it has caught up with the log") {
  Exchange ex;
  const std::string hash = Hex('3', 64);
  REQUIRE(ex.Submit("alpha", {Item(Kind::kPdq, hash)}).ok());
  const auto query = signals::ParsePdq(hash);
  REQUIRE(query.ok());

  services::PdqLookup lookup;
  // Not loaded yet: no answer, rather than a "no match" that would be wrong.
  auto before = lookup.Query(ex.ref.log_id, *query, signals::kDefaultPdqMaxDistance);
  CHECK(before.status().code() == ErrorCode::kUnavailable);
  CHECK(lookup.QueryVpdq(ex.ref.log_id, {}, {}).status().code() == ErrorCode::kUnavailable);

  lookup.CatchUp(ex.conn);
  auto after = lookup.Query(ex.ref.log_id, *query, signals::kDefaultPdqMaxDistance);
  REQUIRE_MESSAGE(after.ok(), after.status().ToString());
  CHECK(after->matches.size() == 1);
  CHECK(after->indexed_through == ex.Feed().size());

  // A collection created since that pass is new, not unloaded: it answers, with nothing applied yet.
  store::CollectionRow spec;
  spec.name = "later";
  auto later = store::CreateCollection(ex.conn, spec, Event("collection.create"));
  REQUIRE(later.ok());
  auto nothing = lookup.Query(later->log_id, *query, 31);
  REQUIRE_MESSAGE(nothing.ok(), nothing.status().ToString());
  CHECK(nothing->matches.empty());
  CHECK(nothing->indexed_through == 0);
  // And still answers once a later pass has loaded it.
  lookup.CatchUp(ex.conn);
  CHECK(lookup.Query(later->log_id, *query, 31).ok());
}

namespace {

// What psql prints of `sql` (unaligned, no headers).
std::string PsqlRows(const std::string& url, const std::string& sql) {
  auto r = RunCommand("psql -qAt -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\" 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  return r.output;
}

// The signals per (collection, kind, status), counted, and as the triggers of
// signals keep them in signal_counts (migrations/0011); a kept 0 is no signal.
constexpr const char* kCounted =
    "SELECT collection_id, kind, status, count(*) FROM signals GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
constexpr const char* kMaintained =
    "SELECT collection_id, kind, status, count FROM signal_counts WHERE count > 0 ORDER BY 1, 2, 3";

// The signal gauges' figures as the GROUP BY over signals gave them before
// signal_counts (by collection name), and as ReadMetricsFigures gives them now.
constexpr const char* kCountedByName =
    "SELECT c.name, s.kind, s.status, count(*) FROM signals s JOIN collections c ON c.id = s.collection_id "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
std::string GaugeFigures(store::Connection& conn) {
  auto figures = store::ReadMetricsFigures(conn);
  REQUIRE_MESSAGE(figures.ok(), figures.status().ToString());
  std::vector<std::string> rows;
  for (const auto& s : figures->signals) {
    rows.push_back(s.collection + "|" + s.kind + "|" + s.status + "|" + std::to_string(static_cast<int64_t>(s.count)));
  }
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& row : rows) out += row + "\n";
  return out;
}

void CheckCounts(Exchange& ex) {
  const auto counted = PsqlRows(ex.url, kCounted);
  CHECK(PsqlRows(ex.url, kMaintained) == counted);
  CHECK(GaugeFigures(ex.conn) == PsqlRows(ex.url, kCountedByName));
}

}  // namespace

TEST_CASE("signal_counts equals counting the signals after submissions, status moves, respelling and deletes") {
  Exchange ex(false, 1);  // one dispute is enough
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, kMaintained).empty());

  // A second collection, written by alpha.
  store::CollectionRow spec;
  spec.name = "other";
  auto created = store::CreateCollection(ex.conn, spec, Event("collection.create"));
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  REQUIRE(store::SetGrant(ex.conn, "other", "alpha", store::GrantAccess::kWrite, Event("grant.set")).ok());
  store::CollectionRef other{created->id, created->log_id,           created->name,
                             false,       created->dispute_min_orgs, created->dispute_needs_majority};

  // Several statements: a large mixed batch, a second organisation's batch
  // (some new, some already held), and a batch in the other collection.
  std::vector<store::SignalItem> batch;
  for (int i = 0; i < 300; ++i) {
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016x", i);
    batch.push_back(Item(i % 3 == 0 ? Kind::kSha256 : Kind::kMd5, std::string(i % 3 == 0 ? 48 : 16, '0') + digits));
  }
  batch.push_back(Item(Kind::kDomain, "Example.ORG"));  // respelled below
  batch.push_back(Item(Kind::kDomain, "refused.example"));
  REQUIRE(ex.Submit("alpha", batch).ok());
  CheckCounts(ex);
  REQUIRE(ex.Submit("beta", {batch[0], batch[1], Item(Kind::kMd5, Hex('e', 32)), Item(Kind::kPdq, Hex('3', 64))}).ok());
  store::SubmitBatch elsewhere;
  elsewhere.collection = other;
  elsewhere.org_id = ex.org_ids.at("alpha");
  elsewhere.org_slug = "alpha";
  elsewhere.items = {batch[0], batch[2], Item(Kind::kDomain, "example.org")};
  REQUIRE(store::SubmitSignals(ex.conn, elsewhere, Exchange::RenderOutcomes).ok());
  CheckCounts(ex);

  // Disputes (and a confirmation that moves one back), retractions: status moves.
  std::vector<store::OpinionItem> disputes;
  for (int i = 0; i < 40; ++i) disputes.push_back({Key(batch[i].kind, batch[i].value), true, "not ours"});
  REQUIRE(store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("gamma"), disputes).ok());
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, "SELECT count(*) FROM signals WHERE status = 'disputed'") == "40\n");
  REQUIRE(
      store::RecordOpinions(ex.conn, ex.ref, ex.org_ids.at("gamma"), {{Key(batch[5].kind, batch[5].value), false, ""}})
          .ok());
  std::vector<store::SignalKey> retractions;
  for (int i = 30; i < 120; ++i) retractions.push_back(Key(batch[i].kind, batch[i].value));
  REQUIRE(store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("alpha"), retractions).ok());
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, "SELECT count(*) FROM signals WHERE status = 'retracted'") == "90\n");
  // A tombstone revived; a raised pdq quality changes no count.
  auto pdq = Item(Kind::kPdq, Hex('3', 64));
  pdq.pdq_quality = 90;
  REQUIRE(ex.Submit("alpha", {batch[100], pdq}).ok());
  CheckCounts(ex);

  // Re-canonicalisation: a respelled value (a new signal, the old one a
  // tombstone) and a refused one; a dry run first, which rolls back.
  const store::Recanonicalizer respell = [](Kind kind,
                                            const std::string& value) -> Result<store::RecanonicalizedValue> {
    if (value == "refused.example") return Status::InvalidArgument("refused");
    std::string lower = value;
    if (kind == Kind::kDomain) std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    return store::RecanonicalizedValue{lower, ""};
  };
  const store::Skeletonizer no_skeleton = [](Kind, const std::string&) { return std::string(); };
  REQUIRE(store::RecanonicalizeSignals(ex.conn, 2, respell, no_skeleton, true).ok());
  CheckCounts(ex);
  auto report = store::RecanonicalizeSignals(ex.conn, 2, respell, no_skeleton, false);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->respelled == 1);
  CHECK(report->merged == 0);
  CHECK(report->refused == 1);
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, "SELECT status FROM signals WHERE kind = 'domain' ORDER BY collection_id, value") ==
        "retracted\nactive\nretracted\nactive\n");

  // The exchange deletes no signal; a statement that does (or moves signals
  // between collections or kinds) keeps the counts too, and so does TRUNCATE.
  Psql(ex.url, "UPDATE signals SET collection_id = " + std::to_string(other.id) +
                   ", kind = 'sha1' WHERE kind = 'md5' AND status = 'disputed' AND collection_id = " +
                   std::to_string(ex.ref.id));
  CheckCounts(ex);
  Psql(ex.url,
       "DELETE FROM signal_status_changes; DELETE FROM opinions; DELETE FROM contributions WHERE signal_id IN "
       "(SELECT id FROM signals WHERE status <> 'active'); DELETE FROM signals WHERE status <> 'active'");
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, "SELECT count(*) FROM signal_counts WHERE count < 0") == "0\n");
  CHECK_FALSE(PsqlRows(ex.url, kMaintained).empty());
  Psql(ex.url, "TRUNCATE signals CASCADE");
  CheckCounts(ex);
  CHECK(PsqlRows(ex.url, "SELECT count(*) FROM signal_counts") == "0\n");
}

TEST_CASE("migration 0011 counts the signals held before it") {
  Exchange ex;
  REQUIRE(ex.Submit("alpha",
                    {Item(Kind::kMd5, Hex('a', 32)), Item(Kind::kMd5, Hex('b', 32)), Item(Kind::kSha256, Hex('c', 64))})
              .ok());
  REQUIRE(store::RetractContributions(ex.conn, ex.ref, ex.org_ids.at("alpha"), {Key(Kind::kMd5, Hex('b', 32))}).ok());
  // Back to the schema before 0011, where more signals arrive uncounted.
  Psql(ex.url,
       "DROP TABLE signal_counts; DROP FUNCTION signal_counts_add() CASCADE; "
       "DROP FUNCTION signal_counts_truncate() CASCADE; DELETE FROM schema_migrations WHERE version = 11");
  REQUIRE(ex.Submit("beta", {Item(Kind::kMd5, Hex('a', 32)), Item(Kind::kPdq, Hex('d', 64))}).ok());
  auto applied = store::Migrate(ex.conn);
  REQUIRE_MESSAGE(applied.ok(), applied.status().ToString());
  CHECK(*applied == 1);
  CHECK(PsqlRows(ex.url, kMaintained) == PsqlRows(ex.url, kCounted));
  CHECK(PsqlRows(ex.url, "SELECT count(*) FROM signal_counts") == "4\n");
  CheckCounts(ex);
}
