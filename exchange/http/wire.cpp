// SPDX-License-Identifier: Apache-2.0
#include "http/wire.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include "common/logger.h"
#include "common/proto_json.h"
#include "exchange/v1/common.pb.h"
#include "signals/utf8.h"

namespace exchange::http {
namespace {

bool Names(std::string_view header, std::string_view type) { return header.find(type) != std::string_view::npos; }

bool IsProtobufType(std::string_view type) {
  for (std::string_view name : kProtobufTypes) {
    if (Names(type, name)) return true;
  }
  return false;
}

// Error messages may quote what the caller sent; a message must stay valid
// UTF-8 or neither Protobuf nor JSON can carry it. Invalid: every non-ASCII
// byte becomes '?'.
std::string Utf8Safe(std::string text) {
  if (signals::DecodeUtf8(text, "message").ok()) return text;
  for (char& c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return text;
}

}  // namespace

bool WantsJson(const Request& request) {
  if (Names(request.accept, kJsonType)) return true;
  return !IsProtobufType(request.accept);
}

bool WantsJsonBody(const Request& request) { return Names(request.content_type, kJsonType); }

Status DecodeBody(const Request& request, google::protobuf::Message& message) {
  const std::string type_name = message.GetDescriptor()->name();
  if (WantsJsonBody(request)) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(request.body, &message, options);
    if (!status.ok()) {
      return Status::InvalidArgument("body is not a valid JSON " + type_name + ": " + std::string(status.message()));
    }
    return Status::Ok();
  }
  if (request.content_type.empty() || IsProtobufType(request.content_type)) {
    if (!message.ParseFromString(request.body)) {
      return Status::InvalidArgument("body is not a valid Protobuf " + type_name + " message");
    }
    return Status::Ok();
  }
  return Status::InvalidArgument("unsupported Content-Type '" + request.content_type +
                                 "': use application/x-protobuf or application/json");
}

Response Encode(const Request& request, const google::protobuf::Message& message, int status) {
  Response response;
  response.status = status;
  if (WantsJson(request)) {
    response.body = ProtoToJson(message);
    response.body.push_back('\n');
    response.content_type = kJsonType;
  } else {
    message.SerializeToString(&response.body);
    response.content_type = kProtobufType;
  }
  return response;
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kFailedPrecondition: return 412;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Request* request, const Status& status) {
  exchange::v1::Error error;
  error.set_code(std::string(ErrorCodeName(status.code())));
  if (status.code() == ErrorCode::kInternal) {
    // The detail (database text, an invariant) is for the operator's log, not the caller.
    // Not the target: its path and query may hold values.
    logging::Error("internal error",
                   {{"request_id", request ? request->id : std::string()}, {"error", status.message()}});
    error.set_message("the exchange failed to handle this request; the operator's log has the details");
  } else {
    error.set_message(Utf8Safe(status.message()));
  }
  Request json_request;
  json_request.accept = std::string(kJsonType);
  return Encode(request ? *request : json_request, error, HttpStatus(status.code()));
}

Response TextResponse(std::string body, std::string_view content_type) {
  Response response;
  response.content_type = std::string(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace exchange::http
