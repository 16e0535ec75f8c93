// SPDX-License-Identifier: Apache-2.0
// Protobuf or JSON on the wire, and errors as one Error message.
//
// A request body is JSON when Content-Type is application/json, else Protobuf
// ("application/x-protobuf"). A response is Protobuf only when Accept names a
// Protobuf type (and not application/json); without Accept, or with */*, it is
// JSON, errors included, so a plain curl reads what it gets. JSON uses Protobuf's mapping with
// the .proto's snake_case field names, and prints fields at their defaults.
//
// This is the only place that turns a Status into an HTTP status code.
#pragma once

#include <array>
#include <string_view>

#include "common/status.h"
#include "http/message.h"

namespace google::protobuf {
class Message;
}

namespace exchange::http {

inline constexpr std::string_view kProtobufType = "application/x-protobuf";
inline constexpr std::string_view kJsonType = "application/json";
// Every name DecodeBody takes for a Protobuf body (kProtobufType first).
inline constexpr std::array<std::string_view, 3> kProtobufTypes = {kProtobufType, "application/protobuf",
                                                                   "application/octet-stream"};

bool WantsJson(const Request& request);
// True when the request body is JSON (else Protobuf).
bool WantsJsonBody(const Request& request);

// Parses the body into `message`. InvalidArgument, with the parser's reason,
// when it is malformed or the content type is neither Protobuf nor JSON.
Status DecodeBody(const Request& request, google::protobuf::Message& message);

// The message in the format the request asked for.
Response Encode(const Request& request, const google::protobuf::Message& message, int status = 200);

int HttpStatus(ErrorCode code);

// An Error message for `status`, formatted as the request asked (JSON when
// `request` is null, as for requests too malformed to negotiate).
Response ErrorResponse(const Request* request, const Status& status);

// A text/plain response (signed notes, CSV).
Response TextResponse(std::string body, std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace exchange::http
