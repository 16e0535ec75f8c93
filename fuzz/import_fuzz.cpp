// SPDX-License-Identifier: Apache-2.0
// Member import files (exchangectl submit): CSV tables with a header, and the
// JSON lists inside their fields. Arbitrary bytes must parse or be refused.
#include <cstdint>
#include <string_view>

#include "exchange/v1/signals.pb.h"
#include "formats/csv.h"
#include "formats/json_text.h"
#include "formats/lists.h"

#include <google/protobuf/util/json_util.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::string> known = {"kind",       "value",      "category",   "labels",     "reviewed",
                                                 "source_ref", "expires_at", "principles", "pdq_quality"};
  auto table = exchange::client::ParseCsvTable(text, known, {"kind", "value"});
  if (table.ok()) {
    for (const auto& record : table->records) {
      (void)exchange::client::CsvShapeError(*table, record);
      (void)exchange::client::SplitList(table->Field(record, "labels"));
    }
  }
  (void)exchange::client::ParseJsonStringArray(text);
  (void)exchange::client::ParseJsonNumberArray(text);
  // An NDJSON line is one SignalSubmission in Protobuf's JSON mapping.
  exchange::v1::SignalSubmission submission;
  (void)google::protobuf::util::JsonStringToMessage(std::string(text.substr(0, text.find('\n'))), &submission);
  return 0;
}
