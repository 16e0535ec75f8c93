// SPDX-License-Identifier: Apache-2.0
// MISP feed files (see misp_feed.h).
#include "formats/misp_feed.h"

#include <openssl/evp.h>

#include "common/hex.h"
#include "common/json_object.h"
#include "common/time_format.h"
#include "signals/stable_id.h"

namespace exchange::client {
namespace {

std::string Md5Hex(std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(value.data(), value.size(), digest, &length, EVP_md5(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

// YYYY-MM-DD, as MISP writes an event's date.
std::string Date(int64_t unix_seconds) { return FormatRfc3339(unix_seconds).substr(0, 10); }

std::string Tag(const std::string& name) { return JsonObject().Str("name", name).Done(); }

}  // namespace

std::optional<MispType> MispTypeFor(std::string_view kind) {
  if (kind == "md5") return MispType{"md5", "Payload delivery"};
  if (kind == "sha1") return MispType{"sha1", "Payload delivery"};
  if (kind == "sha256") return MispType{"sha256", "Payload delivery"};
  if (kind == "pdq") return MispType{"pdq", "Payload delivery"};
  if (kind == "url") return MispType{"url", "Network activity"};
  if (kind == "domain") return MispType{"domain", "Network activity"};
  if (kind == "keyword") return MispType{"text", "Other"};
  if (kind == "account_id") return MispType{"text", "Social network"};
  return std::nullopt;
}

MispFeedWriter::MispFeedWriter(MispSnapshot snapshot) : snapshot_(std::move(snapshot)) {
  const std::string origin = snapshot_.exchange + "/" + snapshot_.collection;
  event_uuid_ = signals::FormatUuid(signals::NameBasedUuid(signals::kExchangeNamespace, "misp-event\n" + origin));
  org_uuid_ = signals::FormatUuid(signals::NameBasedUuid(signals::kExchangeNamespace, "org\n" + snapshot_.exchange));
}

bool MispFeedWriter::Add(const v1::SignalState& state) {
  const auto type = MispTypeFor(state.kind());
  if (!type || state.status() == "retracted") {
    ++skipped_;
    return false;
  }
  std::vector<std::string> tags;
  for (const auto& c : state.categories()) tags.push_back(Tag("coalition-exchange:category=\"" + c + "\""));
  for (const auto& l : state.labels()) tags.push_back(Tag("coalition-exchange:label=\"" + l + "\""));
  if (state.status() == "disputed") tags.push_back(Tag("coalition-exchange:status=\"disputed\""));
  const std::string comment = state.status() + ", " + std::to_string(state.contributors()) + " contributor" +
                              (state.contributors() == 1 ? "" : "s") + ", " + std::to_string(state.disputes()) +
                              " dispute" + (state.disputes() == 1 ? "" : "s");
  const std::string origin = snapshot_.exchange + "/" + snapshot_.collection;
  attributes_.push_back(JsonObject()
                            .Str("uuid", signals::SignalUuid(origin, state.kind(), state.value()))
                            .Str("type", type->type)
                            .Str("category", type->category)
                            .Str("value", state.value())
                            .Bool("to_ids", true)
                            .Str("distribution", "5")
                            .Str("timestamp", std::to_string(state.first_seen_ms() / 1000))
                            .Str("comment", comment)
                            .Array("Tag", tags)
                            .Done());
  value_md5s_.push_back(Md5Hex(state.value()));
  return true;
}

std::string MispFeedWriter::OrgJson() const {
  return JsonObject().Str("name", snapshot_.exchange).Str("uuid", org_uuid_).Done();
}

std::string MispFeedWriter::Info() const {
  return "Coalition Hash Exchange " + snapshot_.exchange + "/" + snapshot_.collection + " at " +
         std::to_string(snapshot_.size) + " entries, root " + snapshot_.root;
}

std::vector<std::string> MispFeedWriter::EventTags() const {
  // Hash lists are for the members' own matching: TLP:AMBER (docs/interop.md).
  return {Tag("tlp:amber"), Tag("coalition-exchange:collection=\"" + snapshot_.collection + "\"")};
}

std::string MispFeedWriter::EventJson() const {
  // MISP writes its numbers as strings.
  const std::string ts = std::to_string(snapshot_.timestamp);
  const std::string event = JsonObject()
                                .Str("uuid", event_uuid_)
                                .Str("info", Info())
                                .Str("date", Date(snapshot_.timestamp))
                                .Str("analysis", "2")
                                .Str("threat_level_id", "1")
                                .Str("distribution", "0")
                                .Bool("published", true)
                                .Str("timestamp", ts)
                                .Str("publish_timestamp", ts)
                                .Raw("Orgc", OrgJson())
                                .Array("Tag", EventTags())
                                .Array("Attribute", attributes_)
                                .Done();
  return JsonObject().Raw("Event", event).Done() + "\n";
}

std::string MispFeedWriter::ManifestJson() const {
  const std::string summary = JsonObject()
                                  .Raw("Orgc", OrgJson())
                                  .Array("Tag", EventTags())
                                  .Str("info", Info())
                                  .Str("date", Date(snapshot_.timestamp))
                                  .Str("analysis", "2")
                                  .Str("threat_level_id", "1")
                                  .Str("timestamp", std::to_string(snapshot_.timestamp))
                                  .Done();
  return JsonObject().Raw(event_uuid_, summary).Done() + "\n";
}

std::string MispFeedWriter::HashesCsv() const {
  std::string out;
  for (const auto& md5 : value_md5s_) out += md5 + "," + event_uuid_ + "\n";
  return out;
}

}  // namespace exchange::client
