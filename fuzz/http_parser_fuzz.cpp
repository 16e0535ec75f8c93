// The HTTP request parser with the limits the sessions use (header limit,
// per-route body limit applied after the header), fed arbitrary bytes in
// arbitrary chunks, as a slow or hostile client would send them.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <limits>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(true);
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
    if (!ec && parser.is_header_done()) parser.body_limit(64 * 1024);
  }
  return 0;
}
