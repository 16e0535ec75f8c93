// SPDX-License-Identifier: Apache-2.0
// Request decoding: targets, query strings and bodies as Protobuf and JSON
// for the messages the API accepts. Malformed input must be an error value.
#include <cstdint>
#include <string>

#include "exchange/v1/signals.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "http/message.h"
#include "http/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  exchange::http::Request request;
  std::string path;
  std::map<std::string, std::string> query;
  (void)exchange::http::ParseTarget(bytes, path, query);
  request.body = bytes;
  request.content_type = data[0] & 1 ? "application/json" : "application/x-protobuf";
  exchange::v1::SubmitSignalsRequest submit;
  (void)exchange::http::DecodeBody(request, submit);
  exchange::v1::EnrollRequest enroll;
  (void)exchange::http::DecodeBody(request, enroll);
  exchange::v1::SightingsRequest sightings;
  (void)exchange::http::DecodeBody(request, sightings);
  return 0;
}
