// SPDX-License-Identifier: Apache-2.0
// Routing, request targets, wire formats and the caller cache: the parts of
// the HTTP layer that need no sockets (and, like all of http/, no database).
#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "exchange/v1/common.pb.h"
#include "exchange/v1/identity.pb.h"
#include "http/caller_cache.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "http/wire.h"

using namespace exchange;
using namespace exchange::http;

namespace {

// A request as the router sees it: just its method and path.
Request RequestFor(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

}  // namespace

TEST_CASE("request targets are split and percent-decoded") {
  std::string path;
  std::map<std::string, std::string> query;
  REQUIRE(ParseTarget("/v1/collections/csam%2Dknown/entries?start=10&limit=5&x=a+b", path, query));
  CHECK(path == "/v1/collections/csam%2Dknown/entries");  // kept encoded: the router decodes segments
  CHECK(query.at("start") == "10");
  CHECK(query.at("limit") == "5");
  CHECK(query.at("x") == "a b");

  CHECK_FALSE(ParseTarget("", path, query));
  CHECK_FALSE(ParseTarget("http://absolute/form", path, query));
  CHECK_FALSE(ParseTarget("/bad%zz", path, query));
  CHECK_FALSE(ParseTarget("/truncated%4", path, query));
  CHECK_FALSE(ParseTarget("/nul%00byte", path, query));
  CHECK_FALSE(ParseTarget("/q?k=%", path, query));

  // Decoded bytes must be UTF-8: they reach PostgreSQL, which refuses others.
  CHECK_FALSE(ParseTarget("/v1/enroll/%ff", path, query));
  CHECK_FALSE(ParseTarget("/v1/enroll/%c3", path, query));          // truncated sequence
  CHECK_FALSE(ParseTarget("/v1/enroll/%ed%a0%80", path, query));    // a surrogate
  CHECK_FALSE(ParseTarget("/v1/logs?format=%c0%af", path, query));  // overlong, in a value
  CHECK_FALSE(ParseTarget("/v1/logs?%fe=1", path, query));          // in a key
  CHECK(ParseTarget("/v1/enroll/caf%C3%A9?x=%E2%82%AC", path, query));
  CHECK(query.at("x") == "\xE2\x82\xAC");
}

TEST_CASE("the router matches templates, fills parameters and tells 404 from 405") {
  Router router;
  router.Add({.method = "GET", .pattern = "/v1/collections/{c}/entries", .max_body_bytes = 10, .handler = {}});
  router.Add({.method = "POST", .pattern = "/v1/collections/{c}/signals", .max_body_bytes = 1000, .handler = {}});

  Request r = RequestFor("GET", "/v1/collections/grooming/entries");
  auto m = router.Match(r);
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/v1/collections/{c}/entries");
  CHECK(r.params.at("c") == "grooming");

  r.method = "POST";
  m = router.Match(r);
  CHECK_FALSE(m.route);
  CHECK(m.path_known);

  r.method = "GET";
  r.path = "/v1/collections/a%2Fb%20c/entries";  // an encoded '/' stays inside its segment
  m = router.Match(r);
  REQUIRE(m.route);
  CHECK(r.params.at("c") == "a/b c");

  r.method = "POST";
  r.path = "/v1/collections//entries";
  m = router.Match(r);
  CHECK_FALSE(m.route);
  CHECK_FALSE(m.path_known);

  CHECK(router.BodyLimit("POST", "/v1/collections/x/signals") == 1000);
  CHECK(router.BodyLimit("POST", "/v1/elsewhere") == 0);
}

TEST_CASE("a final {name...} segment takes the rest of the path") {
  Router router;
  router.Add({.method = "GET", .pattern = "/v1/collections/{c}/tlog/tile/{tile...}", .handler = {}});
  router.Add({.method = "GET", .pattern = "/v1/collections/{c}/tlog/checkpoint", .handler = {}});
  Request r = RequestFor("GET", "/v1/collections/grooming/tlog/tile/0/x001/x234/067.p/8");
  auto m = router.Match(r);
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/v1/collections/{c}/tlog/tile/{tile...}");
  CHECK(r.params.at("c") == "grooming");
  CHECK(r.params.at("tile") == "0/x001/x234/067.p/8");

  r.path = "/v1/collections/grooming/tlog/tile/entries";
  REQUIRE(router.Match(r).route);
  CHECK(r.params.at("tile") == "entries");
  r.path = "/v1/collections/grooming/tlog/tile/%30/000";
  REQUIRE(router.Match(r).route);
  CHECK(r.params.at("tile") == "0/000");

  for (const char* unmatched :
       {"/v1/collections/grooming/tlog/tile", "/v1/collections/grooming/tlog/tile/",
        "/v1/collections/grooming/tlog/tile/0//000", "/v1/collections/grooming/tlog/tile/0%2F000",
        "/v1/collections/grooming/tlog/tile/0/%zz"}) {
    CAPTURE(unmatched);
    r.path = unmatched;
    CHECK_FALSE(router.Match(r).route);
  }
  r.path = "/v1/collections/grooming/tlog/checkpoint";
  m = router.Match(r);
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/v1/collections/{c}/tlog/checkpoint");
}

TEST_CASE("bodies decode from Protobuf or JSON and malformed ones say why") {
  v1::WhoAmIResponse message;
  Request json;
  json.content_type = "application/json";
  json.body = R"({"org": "alpha", "role": "member"})";
  REQUIRE(DecodeBody(json, message).ok());
  CHECK(message.org() == "alpha");

  json.body = R"({"org": "alpha",)";
  Status bad_json = DecodeBody(json, message);
  CHECK(bad_json.code() == ErrorCode::kInvalidArgument);
  CHECK(bad_json.message().find("JSON") != std::string::npos);

  json.body = R"({"no_such_field": 1})";
  CHECK(DecodeBody(json, message).code() == ErrorCode::kInvalidArgument);

  Request proto;
  proto.content_type = "application/x-protobuf";
  proto.body = "\xff\xff\xff";
  Status bad_proto = DecodeBody(proto, message);
  CHECK(bad_proto.code() == ErrorCode::kInvalidArgument);
  CHECK(bad_proto.message().find("Protobuf") != std::string::npos);

  Request xml;
  xml.content_type = "application/xml";
  CHECK(DecodeBody(xml, message).code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("responses follow Accept, and errors map to HTTP statuses") {
  v1::WhoAmIResponse message;
  message.set_org("beta");
  Request wants_json;
  wants_json.accept = "application/json";
  Response r = Encode(wants_json, message);
  CHECK(r.content_type == "application/json");
  CHECK(r.body.find("\"org\":\"beta\"") != std::string::npos);
  CHECK(r.body.find("\"role\":\"\"") != std::string::npos);  // defaults are printed

  // No Accept (a plain curl), */*, or a type we do not serve: JSON.
  for (const char* accept : {"", "*/*", "text/html"}) {
    Request plain;
    plain.accept = accept;
    CHECK(Encode(plain, message).content_type == "application/json");
    CHECK(ErrorResponse(&plain, Status::NotFound("x")).content_type == "application/json");
  }
  // A Protobuf body without Accept still gets JSON: only Accept asks for Protobuf.
  Request proto_body;
  proto_body.content_type = "application/x-protobuf";
  CHECK(Encode(proto_body, message).content_type == "application/json");

  Request wants_proto;
  wants_proto.accept = "application/x-protobuf";
  r = Encode(wants_proto, message);
  CHECK(r.content_type == "application/x-protobuf");
  v1::WhoAmIResponse back;
  REQUIRE(back.ParseFromString(r.body));
  CHECK(back.org() == "beta");

  CHECK(HttpStatus(ErrorCode::kInvalidArgument) == 400);
  CHECK(HttpStatus(ErrorCode::kPermissionDenied) == 403);
  CHECK(HttpStatus(ErrorCode::kNotFound) == 404);
  CHECK(HttpStatus(ErrorCode::kPayloadTooLarge) == 413);
  CHECK(HttpStatus(ErrorCode::kResourceExhausted) == 429);
  CHECK(HttpStatus(ErrorCode::kUnavailable) == 503);
  Response error = ErrorResponse(nullptr, Status::NotFound("no such collection"));
  CHECK(error.status == 404);
  CHECK(error.body.find("\"code\":\"not_found\"") != std::string::npos);
}

TEST_CASE("the rate limiter evicts the least recently used key, not every bucket") {
  RateLimiter limiter(0.001, 1, 3);  // one token each, refilled about every 17 minutes
  CHECK(limiter.Take("org:busy") == 0);
  CHECK(limiter.Take("org:busy") > 0);
  // Rotating source addresses: many new keys, the busy caller in between.
  for (int i = 0; i < 100; ++i) {
    CHECK(limiter.Take("address:10.0.0." + std::to_string(i)) == 0);
    CHECK_MESSAGE(limiter.Take("org:busy") > 0, "the busy caller's bucket was reset after key " << i);
  }
  CHECK(limiter.KeyCount() == 3);
  // The stalest stranger went first: the most recent one is still limited.
  CHECK(limiter.Take("address:10.0.0.99") > 0);
  CHECK(limiter.Take("address:10.0.0.0") == 0);  // evicted long ago: a fresh bucket

  // Peek takes nothing and remembers nothing.
  RateLimiter peeked(1, 1, 10);
  CHECK(peeked.Peek("cert:x") == 0);
  CHECK(peeked.KeyCount() == 0);
  CHECK(peeked.Take("cert:x") == 0);
  CHECK(peeked.Peek("cert:x") > 0);
  CHECK(peeked.Peek("cert:x") > 0);
}

TEST_CASE("an error message quoting invalid UTF-8 still encodes, as JSON and as Protobuf") {
  Request json;
  json.accept = "application/json";
  Response r = ErrorResponse(&json, Status::InvalidArgument("unknown kind '\xff\xfe'"));
  CHECK(r.status == 400);
  CHECK(r.body.find("unknown kind '?"
                    "?'") != std::string::npos);
  Request proto;
  proto.accept = "application/x-protobuf";
  r = ErrorResponse(&proto, Status::InvalidArgument("caf\xc3\xa9 \xc3"));
  v1::Error error;
  REQUIRE(error.ParseFromString(r.body));
  CHECK(error.message() == "caf?? ?");
}

// A caller of organisation `org_id` presenting a certificate of `letter`s.
Caller SomeCaller(int64_t credential_id, int64_t org_id, char letter) {
  Caller caller;
  caller.credential_id = credential_id;
  caller.org_id = org_id;
  caller.org_slug = "org-" + std::to_string(org_id);
  caller.fingerprint = std::string(64, letter);
  return caller;
}

TEST_CASE("the caller cache keeps callers and refusals for its ttl, and forgets on demand") {
  const Caller alice = SomeCaller(7, 3, 'a');
  const Caller bob = SomeCaller(8, 4, 'b');
  CallerCache cache(std::chrono::hours(1));
  CHECK_FALSE(cache.Find(alice.fingerprint));
  cache.Remember(alice);
  cache.Remember(bob);
  REQUIRE(cache.Find(alice.fingerprint));
  CHECK(cache.Find(alice.fingerprint)->org_slug == "org-3");
  CHECK(cache.RecentlyAccepted(alice.fingerprint));

  const std::string stranger(64, 'c');
  cache.RememberRefusal(stranger, Status::PermissionDenied("not registered"));
  REQUIRE(cache.FindRefusal(stranger));
  CHECK(cache.FindRefusal(stranger)->message() == "not registered");
  CHECK_FALSE(cache.RecentlyAccepted(stranger));

  // Suspending alice's organisation: alice is looked up again, bob is not;
  // every remembered refusal goes too.
  cache.ForgetOrganisation(3);
  CHECK_FALSE(cache.Find(alice.fingerprint));
  CHECK(cache.Find(bob.fingerprint));
  CHECK_FALSE(cache.FindRefusal(stranger));

  cache.ForgetCredential(8);
  CHECK_FALSE(cache.Find(bob.fingerprint));

  // A refusal of a once-accepted certificate ends its "recently accepted" standing.
  cache.Remember(alice);
  cache.RememberRefusal(alice.fingerprint, Status::PermissionDenied("this credential has been revoked"));
  CHECK_FALSE(cache.Find(alice.fingerprint));
  CHECK_FALSE(cache.RecentlyAccepted(alice.fingerprint));
}

TEST_CASE("a caller cache with no ttl remembers no refusal") {
  CallerCache cache(std::chrono::milliseconds(0));
  const std::string stranger(64, 'c');
  cache.RememberRefusal(stranger, Status::PermissionDenied("not registered"));
  CHECK_FALSE(cache.FindRefusal(stranger));
  const Caller alice = SomeCaller(7, 3, 'a');
  cache.Remember(alice);
  CHECK_FALSE(cache.Find(alice.fingerprint));        // expired at once
  CHECK(cache.RecentlyAccepted(alice.fingerprint));  // but known good for the hour
}
