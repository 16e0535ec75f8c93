// SPDX-License-Identifier: Apache-2.0
// ApiClient: typed calls to the exchange's API over an HttpsClient.
//
// Requests and responses are Protobuf on the wire; a non-2xx answer is
// decoded from the server's Error message into a Status with the server's
// code and message, so callers handle one kind of failure.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "transport/https_client.h"

namespace google::protobuf {
class Message;
}

namespace exchange::client {

class ApiClient {
 public:
  explicit ApiClient(std::unique_ptr<HttpsClient> http) : http_(std::move(http)) {}

  // `request` may be null (no body). `response` may be null (ignore the body).
  Status Call(const std::string& method, const std::string& target, const google::protobuf::Message* request,
              google::protobuf::Message* response,
              const std::vector<std::pair<std::string, std::string>>& headers = {});
  // For endpoints that answer text (signed notes, CSV, HTML).
  Result<std::string> GetText(const std::string& target);

  HttpsClient& http() { return *http_; }

 private:
  std::unique_ptr<HttpsClient> http_;
};

// The Status an error response stands for (code and message from its body).
Status StatusFromErrorResponse(const HttpResult& result);

}  // namespace exchange::client
