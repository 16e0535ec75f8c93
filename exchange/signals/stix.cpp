// SPDX-License-Identifier: Apache-2.0
#include "signals/stix.h"

#include "signals/stable_id.h"

#include <algorithm>
#include <charconv>

#include "common/json.h"
#include "common/json_object.h"
#include "common/time_format.h"

namespace exchange::signals::stix {
namespace {

constexpr std::string_view kExtensionName = "Coalition Hash Exchange signal properties";

// The hash key of each hash kind in `file:hashes` (STIX 2.1 hash-algorithm-ov
// for the standard ones, custom `x_` keys the extension definition declares
// for the perceptual and video hashes).
std::string_view HashKey(Kind kind) {
  switch (kind) {
    case Kind::kMd5: return "MD5";
    case Kind::kSha1: return "'SHA-1'";
    case Kind::kSha256: return "'SHA-256'";
    case Kind::kPdq: return "x_pdq";
    case Kind::kPhotoDna: return "x_photodna";
    case Kind::kTmkPdqf: return "x_tmk_pdqf";
    case Kind::kVpdq: return "x_vpdq";
    default: return "";
  }
}

// At most `max` bytes of `text`, cut at a UTF-8 boundary, "…" when cut.
std::string Shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "\u2026";
}

std::string_view ChangeName(v1::FeedEntry::Change change) {
  switch (change) {
    case v1::FeedEntry::CREATED: return "created";
    case v1::FeedEntry::STATUS: return "status";
    case v1::FeedEntry::PROVENANCE: return "provenance";
    default: return "unspecified";
  }
}

std::string ExtensionsField() {
  return JsonObject()
      .Raw(ExtensionDefinitionId(), JsonObject().Str("extension_type", "toplevel-property-extension").Done())
      .Done();
}

// A UUIDv5 in the exchange's namespace (stable_id.h).
std::string Id(std::string_view name) { return FormatUuid(NameBasedUuid(kExchangeNamespace, name)); }

// An object opened with the common properties every STIX object carries
// (STIX 2.1 §3.2), in the order all of ours write them.
JsonObject StixObject(std::string_view type, std::string_view id, std::string_view created, std::string_view modified) {
  JsonObject o;
  o.Str("type", type).Str("spec_version", "2.1").Str("id", id).Str("created", created).Str("modified", modified);
  return o;
}

}  // namespace

std::string IndicatorId(std::string_view collection, std::string_view kind, std::string_view value) {
  std::string name = "indicator/";
  name.append(collection).append("/").append(kind).append("/").append(value);
  return "indicator--" + Id(name);
}

std::string OpinionId(std::string_view collection, std::string_view kind, std::string_view value) {
  std::string name = "opinion/";
  name.append(collection).append("/").append(kind).append("/").append(value);
  return "opinion--" + Id(name);
}

std::string CollectionId(std::string_view collection) { return Id("collection/" + std::string(collection)); }

std::string ExtensionDefinitionId() { return "extension-definition--" + Id("extension-definition/exchange/v1"); }

std::string ExchangeIdentityId() { return "identity--" + Id("identity/exchange"); }

std::string OrganisationIdentityId(std::string_view slug) {
  return "identity--" + Id("identity/org/" + std::string(slug));
}

std::string FormatTimestampMs(int64_t unix_ms) {
  int64_t seconds = unix_ms / 1000;
  int64_t millis = unix_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::string text = FormatRfc3339(seconds);  // ...:SSZ
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis));
  text.insert(text.size() - 1, fraction);
  return text;
}

Result<int64_t> ParseTimestampMs(std::string_view text) {
  // The fraction is cut out and read here; ParseRfc3339 reads the rest.
  std::string whole(text);
  int64_t millis = 0;
  auto dot = whole.find('.');
  if (dot != std::string::npos) {
    std::size_t end = dot + 1;
    while (end < whole.size() && whole[end] >= '0' && whole[end] <= '9') ++end;
    if (end == dot + 1) return Status::InvalidArgument("not an RFC 3339 timestamp: '" + whole + "'");
    std::string digits = whole.substr(dot + 1, std::min<std::size_t>(3, end - dot - 1));
    digits.resize(3, '0');
    std::from_chars(digits.data(), digits.data() + 3, millis);
    whole.erase(dot, end - dot);
  }
  auto seconds = ParseRfc3339(whole);
  if (!seconds.ok()) return seconds.status();
  return *seconds * 1000 + millis;
}

std::string PatternLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string PatternFor(Kind kind, std::string_view value) {
  switch (kind) {
    case Kind::kMd5:
    case Kind::kSha1:
    case Kind::kSha256:
    case Kind::kPdq:
    case Kind::kPhotoDna:
    case Kind::kTmkPdqf:
    case Kind::kVpdq: return "[file:hashes." + std::string(HashKey(kind)) + " = " + PatternLiteral(value) + "]";
    case Kind::kUrl: return "[url:value = " + PatternLiteral(value) + "]";
    case Kind::kDomain: return "[domain-name:value = " + PatternLiteral(value) + "]";
    case Kind::kKeyword: return "[x-exchange-keyword:value = " + PatternLiteral(value) + "]";
    case Kind::kAccountId: {
      // "platform:identifier" (signals.md): user-account's account_type and
      // user_id, both in one observation.
      auto colon = value.find(':');
      std::string_view platform = colon == std::string_view::npos ? std::string_view() : value.substr(0, colon);
      std::string_view id = colon == std::string_view::npos ? value : value.substr(colon + 1);
      return "[user-account:account_type = " + PatternLiteral(platform) +
             " AND user-account:user_id = " + PatternLiteral(id) + "]";
    }
  }
  return "";
}

Result<IndicatorVersion> IndicatorFromEntry(const v1::FeedEntry& entry, uint64_t index) {
  if (!entry.has_signal()) return Status::InvalidArgument("feed entry " + std::to_string(index) + " has no signal");
  const v1::SignalState& s = entry.signal();
  auto kind = ParseKind(s.kind());
  if (!kind)
    return Status::InvalidArgument("feed entry " + std::to_string(index) + ": " + UnknownKindMessage(s.kind()));

  IndicatorVersion out;
  out.id = IndicatorId(entry.collection(), s.kind(), s.value());
  // created: the signal's first appearance; modified: this entry's append
  // (never before created, whatever the clocks said).
  out.modified_ms = std::max(entry.appended_at_ms(), s.first_seen_ms());
  out.modified = FormatTimestampMs(out.modified_ms);
  const std::string created = FormatTimestampMs(s.first_seen_ms());

  std::vector<std::string> principles;
  JsonObject o = StixObject("indicator", out.id, created, out.modified);
  o.Str("created_by_ref", ExchangeIdentityId())
      .Str("name", std::string(KindName(*kind)) + " " + Shortened(s.value(), 80))
      .Str("pattern", PatternFor(*kind, s.value()))
      .Str("pattern_type", "stix")
      .Str("pattern_version", "2.1")
      .Str("valid_from", created);
  if (s.status() == "retracted") o.Bool("revoked", true);
  o.Strings("labels", s.labels())
      .Raw("extensions", ExtensionsField())
      .Str("x_exchange_collection", entry.collection())
      .Str("x_exchange_kind", s.kind())
      .Str("x_exchange_status", s.status())
      .Str("x_exchange_change", ChangeName(entry.change()))
      .Int("x_exchange_log_index", static_cast<int64_t>(index))
      .Strings("x_exchange_categories", s.categories());
  if (!s.principles().empty()) {
    std::string list = "[";
    for (uint32_t p : s.principles()) list += (list.size() > 1 ? "," : "") + std::to_string(p);
    o.Raw("x_exchange_principles", list + "]");
  }
  o.Int("x_exchange_contributors", s.contributors())
      .Int("x_exchange_confirmations", s.confirmations())
      .Int("x_exchange_disputes", s.disputes())
      .Bool("x_exchange_reviewed", s.reviewed());
  if (*kind == Kind::kPdq && s.pdq_quality() > 0) o.Int("x_exchange_pdq_quality", s.pdq_quality());
  o.Strings("x_exchange_contributor_orgs", s.contributor_orgs());
  std::vector<std::string> refs;
  for (const auto& slug : s.contributor_orgs()) refs.push_back(OrganisationIdentityId(slug));
  o.Strings("x_exchange_contributor_refs", refs);
  if (s.disputes() + s.confirmations() > 0)
    o.Str("x_exchange_opinion_ref", OpinionId(entry.collection(), s.kind(), s.value()));
  out.json = o.Done();
  return out;
}

Result<std::optional<IndicatorVersion>> OpinionFromEntry(const v1::FeedEntry& entry, uint64_t index) {
  auto indicator = IndicatorFromEntry(entry, index);
  if (!indicator.ok()) return indicator.status();
  const v1::SignalState& s = entry.signal();
  if (s.disputes() + s.confirmations() == 0) return std::optional<IndicatorVersion>();
  std::string_view opinion = s.status() == "disputed"            ? "strongly-disagree"
                             : s.disputes() > s.confirmations()  ? "disagree"
                             : s.disputes() == s.confirmations() ? "neutral"
                                                                 : "agree";
  IndicatorVersion out;
  out.id = OpinionId(entry.collection(), s.kind(), s.value());
  out.modified = indicator->modified;
  out.modified_ms = indicator->modified_ms;
  auto organisations = [](uint32_t n) { return std::to_string(n) + (n == 1 ? " organisation" : " organisations"); };
  out.json =
      StixObject("opinion", out.id, FormatTimestampMs(s.first_seen_ms()), out.modified)
          .Str("created_by_ref", ExchangeIdentityId())
          .Str("explanation", organisations(s.disputes()) + " dispute and " + organisations(s.confirmations()) +
                                  " confirm this signal; its status in " + entry.collection() + " is " + s.status())
          .Str("opinion", opinion)
          .Strings("object_refs", std::vector<std::string>{indicator->id})
          .Raw("extensions", ExtensionsField())
          .Str("x_exchange_collection", entry.collection())
          .Str("x_exchange_status", s.status())
          .Int("x_exchange_log_index", static_cast<int64_t>(index))
          .Int("x_exchange_confirmations", s.confirmations())
          .Int("x_exchange_disputes", s.disputes())
          .Done();
  return std::optional<IndicatorVersion>(std::move(out));
}

std::string ExtensionDefinitionJson() {
  const std::vector<std::string> properties = {"x_exchange_collection",       "x_exchange_kind",
                                               "x_exchange_status",           "x_exchange_change",
                                               "x_exchange_log_index",        "x_exchange_categories",
                                               "x_exchange_principles",       "x_exchange_contributors",
                                               "x_exchange_confirmations",    "x_exchange_disputes",
                                               "x_exchange_reviewed",         "x_exchange_pdq_quality",
                                               "x_exchange_contributor_orgs", "x_exchange_contributor_refs",
                                               "x_exchange_opinion_ref"};
  return StixObject("extension-definition", ExtensionDefinitionId(), kDefinitionsTime, kDefinitionsTime)
      .Str("created_by_ref", ExchangeIdentityId())
      .Str("name", kExtensionName)
      .Str("description",
           "Top-level properties of the exchange's indicators (the signal's state in its collection's log), and "
           "the custom file hash keys x_pdq, x_photodna, x_tmk_pdqf and x_vpdq (the exchange's canonical text of "
           "each: PDQ as 64 hex digits, the others as standard base64) and the custom observable "
           "x-exchange-keyword (property value: NFKC_Casefold text) used in its patterns; on opinions, the "
           "counts they sum up.")
      .Str("schema",
           "The Coalition Hash Exchange's docs/interop.md, section \"STIX 2.1 objects\": every property, its type "
           "and meaning.")
      .Str("version", "1.0.0")
      .Strings("extension_types", std::vector<std::string>{"toplevel-property-extension"})
      .Strings("extension_properties", properties)
      .Done();
}

std::string ExchangeIdentityJson(std::string_view exchange_name) {
  return StixObject("identity", ExchangeIdentityId(), kDefinitionsTime, kDefinitionsTime)
      .Str("name", exchange_name)
      .Str("identity_class", "system")
      .Done();
}

std::string OrganisationIdentityJson(std::string_view slug) {
  return StixObject("identity", OrganisationIdentityId(slug), kDefinitionsTime, kDefinitionsTime)
      .Str("created_by_ref", ExchangeIdentityId())
      .Str("name", slug)
      .Str("description", "A member organisation of the exchange, by its slug")
      .Str("identity_class", "organization")
      .Done();
}

}  // namespace exchange::signals::stix
