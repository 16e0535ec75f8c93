#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Grafana dashboard and the alert rules against the metrics exchanged exports.

* every panel query is valid PromQL (promtool check rules, after putting
  concrete values in place of the dashboard's variables);
* every exchange_* and process_* metric the dashboard or the alerts use is a
  family exchange/metrics registers (its histogram series _bucket/_sum/_count
  too) or its process collector writes;
* every family exchange/metrics registers has a panel.

  dashboard_test.py SOURCE_DIR
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

src = pathlib.Path(sys.argv[1])
dashboard = json.loads((src / "deploy/grafana/exchange-dashboard.json").read_text())
alerts = (src / "deploy/prometheus/alerts.yml").read_text()

# The families exchanged registers: BuildCounter()/BuildGauge()/BuildHistogram() ... .Name("...").
families = {}
for cpp in sorted((src / "exchange/metrics").glob("*.cpp")):
    text = cpp.read_text()
    for m in re.finditer(r'Build(Counter|Gauge|Histogram|Summary)\(\)\s*\.Name\("([a-z_:]+)"\)', text):
        families[m.group(2)] = m.group(1)
    # The process collector's families: Family("process_...", help, MetricType::..., value).
    for m in re.finditer(r'Family\("(process_[a-z_]+)",[^;]*?MetricType::(Counter|Gauge)', text, re.S):
        families[m.group(1)] = m.group(2)
if not any(f.startswith("process_") for f in families):
    sys.exit("dashboard_test: found no process_* family in exchange/metrics: the pattern is out of date")
if len(families) < 5:
    sys.exit(f"dashboard_test: found only {sorted(families)} in exchange/metrics: the pattern is out of date")


def series_names(family, kind):
    if kind == "Histogram":
        return {family + s for s in ("_bucket", "_sum", "_count")}
    if kind == "Summary":
        return {family, family + "_sum", family + "_count"}
    return {family}


known = {}
for family, kind in families.items():
    for name in series_names(family, kind):
        known[name] = family

exprs = []


def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append((node.get("refId", "?"), node["expr"]))
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)


walk(dashboard["panels"])
if not exprs:
    sys.exit("dashboard_test: no queries in the dashboard")

failures = []
variables = {"$__rate_interval": "5m", "$instance": ".*", "$job": "exchanged"}
rules = {"groups": [{"name": "dashboard", "rules": []}]}
for i, (_, expr) in enumerate(exprs):
    concrete = expr
    for var, value in variables.items():
        concrete = concrete.replace(var, value)
    if "$" in concrete:
        failures.append(f"query uses an unknown variable: {expr}")
    rules["groups"][0]["rules"].append({"record": f"dashboard:query_{i}", "expr": concrete})
with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
    json.dump(rules, f)  # JSON is YAML
    f.flush()
    check = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
    if check.returncode != 0:
        failures.append("promtool check rules on the dashboard's queries:\n" + check.stdout + check.stderr)

used = set()
for where, text in [("dashboard", " ".join(e for _, e in exprs)), ("alerts.yml", alerts)]:
    for name in set(re.findall(r"\b(?:exchange|process)_[a-z_]+", text)):
        if name not in known:
            failures.append(f"{where} uses {name}, which exchanged does not export")
        elif where == "dashboard":
            used.add(known[name])
for family in sorted(set(families) - used):
    failures.append(f"no dashboard panel shows {family}")

if failures:
    print("\n".join("dashboard_test: FAIL: " + f for f in failures))
    sys.exit(1)
print(f"dashboard_test: {len(exprs)} queries valid; {len(families)} families, each on a panel; "
      f"alerts use only exported metrics")
