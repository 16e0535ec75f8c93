// SPDX-License-Identifier: Apache-2.0
#include "mirror/signal_table.h"

#include "formats/json_text.h"

namespace exchange::client {

void BindSignal(Statement& upsert, const v1::SignalState& s, uint64_t index) {
  upsert.Text(1, s.kind());
  upsert.Text(2, s.value());
  upsert.Text(3, s.status());
  upsert.Text(4, JsonStringArray({s.categories().begin(), s.categories().end()}));
  upsert.Text(5, JsonStringArray({s.labels().begin(), s.labels().end()}));
  upsert.Text(6, JsonNumberArray({s.principles().begin(), s.principles().end()}));
  upsert.Int(7, s.contributors());
  upsert.Int(8, s.confirmations());
  upsert.Int(9, s.disputes());
  upsert.Int(10, s.reviewed() ? 1 : 0);
  upsert.Int(11, s.first_seen_ms());
  upsert.Int(12, s.pdq_quality());
  upsert.Text(13, JsonStringArray({s.contributor_orgs().begin(), s.contributor_orgs().end()}));
  upsert.Int(14, static_cast<int64_t>(index));
}

Result<SignalRow> RowFrom(const Statement& row) {
  SignalRow out;
  auto& s = out.state;
  s.set_kind(row.ColumnText(0));
  s.set_value(row.ColumnText(1));
  s.set_status(row.ColumnText(2));
  auto categories = ParseJsonStringArray(row.ColumnText(3));
  auto labels = ParseJsonStringArray(row.ColumnText(4));
  auto principles = ParseJsonNumberArray(row.ColumnText(5));
  auto orgs = ParseJsonStringArray(row.ColumnText(12));
  if (!categories.ok() || !labels.ok() || !principles.ok() || !orgs.ok()) {
    return Status::Internal("state.sqlite: the row of " + s.kind() + " " + s.value() + " holds a malformed list");
  }
  for (auto& c : *categories) s.add_categories(c);
  for (auto& l : *labels) s.add_labels(l);
  for (auto p : *principles) s.add_principles(p);
  s.set_contributors(static_cast<uint32_t>(row.ColumnInt(6)));
  s.set_confirmations(static_cast<uint32_t>(row.ColumnInt(7)));
  s.set_disputes(static_cast<uint32_t>(row.ColumnInt(8)));
  s.set_reviewed(row.ColumnInt(9) != 0);
  s.set_first_seen_ms(row.ColumnInt(10));
  s.set_pdq_quality(static_cast<uint32_t>(row.ColumnInt(11)));
  for (auto& o : *orgs) s.add_contributor_orgs(o);
  out.last_index = static_cast<uint64_t>(row.ColumnInt(13));
  return out;
}

}  // namespace exchange::client
