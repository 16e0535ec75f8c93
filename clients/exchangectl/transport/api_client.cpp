// SPDX-License-Identifier: Apache-2.0
#include "transport/api_client.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <map>

#include "exchange/v1/common.pb.h"

namespace exchange::client {
namespace {

ErrorCode CodeFromName(const std::string& name, int http_status) {
  static const std::map<std::string, ErrorCode> kCodes = {{"invalid_argument", ErrorCode::kInvalidArgument},
                                                          {"unauthenticated", ErrorCode::kUnauthenticated},
                                                          {"permission_denied", ErrorCode::kPermissionDenied},
                                                          {"not_found", ErrorCode::kNotFound},
                                                          {"already_exists", ErrorCode::kAlreadyExists},
                                                          {"conflict", ErrorCode::kConflict},
                                                          {"failed_precondition", ErrorCode::kFailedPrecondition},
                                                          {"payload_too_large", ErrorCode::kPayloadTooLarge},
                                                          {"resource_exhausted", ErrorCode::kResourceExhausted},
                                                          {"unavailable", ErrorCode::kUnavailable},
                                                          {"internal", ErrorCode::kInternal}};
  if (auto it = kCodes.find(name); it != kCodes.end()) return it->second;
  if (http_status == 429) return ErrorCode::kResourceExhausted;
  if (http_status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kInvalidArgument;
}

}  // namespace

Status StatusFromErrorResponse(const HttpResult& result) {
  v1::Error error;
  const bool json = result.content_type.find("json") != std::string::npos;
  const bool parsed =
      json ? google::protobuf::util::JsonStringToMessage(result.body, &error).ok() : error.ParseFromString(result.body);
  if (parsed && !error.code().empty()) return Status(CodeFromName(error.code(), result.status), error.message());
  return Status(CodeFromName("", result.status),
                "HTTP " + std::to_string(result.status) + ": " + result.body.substr(0, 500));
}

Status ApiClient::Call(const std::string& method, const std::string& target, const google::protobuf::Message* request,
                       google::protobuf::Message* response,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string body;
  auto all_headers = headers;
  all_headers.emplace_back("Accept", "application/x-protobuf");
  if (request) {
    request->SerializeToString(&body);
    all_headers.emplace_back("Content-Type", "application/x-protobuf");
  }
  auto result = http_->Send(method, target, body, all_headers);
  if (!result.ok()) return result.status();
  if (result->status < 200 || result->status >= 300) return StatusFromErrorResponse(*result);
  if (response && !response->ParseFromString(result->body)) {
    return Status::Internal("the server's answer to " + target + " is not a valid " +
                            response->GetDescriptor()->name());
  }
  return Status::Ok();
}

Result<std::string> ApiClient::GetText(const std::string& target) {
  auto result = http_->Send("GET", target);
  if (!result.ok()) return result.status();
  if (result->status < 200 || result->status >= 300) return StatusFromErrorResponse(*result);
  return std::move(result->body);
}

}  // namespace exchange::client
