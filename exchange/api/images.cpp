// SPDX-License-Identifier: Apache-2.0
// POST /v1/images/pdq: hashes an uploaded image with PDQ, for the web
// console's image lookup. The image is decoded and hashed in memory and never
// stored or logged; the caller then looks the hash up with
// POST /v1/collections/{c}/lookup, which applies its grants.
#include <cstdint>
#include <span>

#include "api/routes.h"
#include "common/hex.h"
#include "exchange/v1/signals.pb.h"
#include "http/wire.h"
#include "pdq/image.h"

namespace exchange::api {
namespace {

http::Response HashImage(const http::Request& request, http::CallContext&) {
  v1::HashImageRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  if (body.image().empty()) return http::ErrorResponse(&request, Status::InvalidArgument("image is required"));
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(body.image().data()), body.image().size());
  auto hashed = pdq::HashImage(bytes);
  if (!hashed.ok()) return http::ErrorResponse(&request, hashed.status());
  v1::HashImageResponse out;
  out.set_pdq(HexEncode(std::span<const uint8_t>(hashed->hash)));
  out.set_quality(static_cast<uint32_t>(hashed->quality));
  out.set_format(std::string(pdq::FormatName(pdq::DetectFormat(bytes))));
  return http::Encode(request, out);
}

}  // namespace

void AddImageRoutes(http::Router& router) {
  // Decoding takes up to a few hundred milliseconds for a large photograph:
  // on the worker pool, never on an I/O thread.
  router.Add({.method = "POST",
              .pattern = "/v1/images/pdq",
              .access = http::Access::kAuthenticated,
              .uses_database = true,
              .max_body_bytes = kImageBodyLimit,
              .handler = HashImage});
}

}  // namespace exchange::api
