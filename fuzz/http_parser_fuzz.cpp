// SPDX-License-Identifier: Apache-2.0
// The HTTP request parser with the limits the sessions use (header limit,
// per-route body limit applied after the header), fed arbitrary bytes in
// arbitrary chunks, as a slow or hostile client would send them. As in
// net/session.cpp, the header is read on its own first (async_read_header
// parses non-eagerly, so no body is started under the unlimited limit), then
// the body under the route's limit, after the same check of the declared
// Content-Length that OnHeader makes.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <limits>

namespace http = boost::beast::http;

constexpr std::uint64_t kBodyLimit = 64 * 1024;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(false);
  const std::size_t chunk = 1 + data[0] % 64;
  boost::beast::error_code ec;
  std::size_t offset = 1;
  std::string pending;
  while (offset < size && !ec && !parser.is_done()) {
    pending.append(reinterpret_cast<const char*>(data + offset), std::min(chunk, size - offset));
    offset += chunk;
    std::size_t used = parser.put(boost::asio::buffer(pending), ec);
    if (ec == http::error::need_more) ec = {};
    pending.erase(0, used);
    if (!ec && parser.is_header_done() && !parser.eager()) {
      // The session refuses (413) a declared length over the route's limit
      // before reading any body; the parser only ever starts a body under it.
      if (auto length = parser.content_length(); length && *length > kBodyLimit) return 0;
      parser.body_limit(kBodyLimit);
      parser.eager(true);
    }
  }
  return 0;
}
