#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads a MISP feed directory the way MISP's feed fetcher does (manifest.json,
then each <uuid>.json it names; hashes.csv for cached lookups) and checks what
MISP relies on: every event in the manifest exists and agrees with it, each
event and attribute carries the fields MISP's feed import reads, attribute
types are MISP types with a category MISP allows for them, uuids are RFC 4122
version 5 uuids equal to Python's own uuid.uuid5 over the names
docs/interop.md gives, and hashes.csv holds md5(value),event-uuid for every
attribute and nothing else. Exit 0 and one "<type> <count>" line per type;
exit 1 naming the first problem.

Written from MISP's feed format (PyMISP's feed generator and MISPEvent.to_feed,
misp-rfc's misp-core-format); it does not import PyMISP, which is not packaged
for Debian.
"""
import collections
import hashlib
import json
import os
import sys
import uuid

NAMESPACE = uuid.UUID("873dab70-2e75-49de-8d8f-ca509833582a")
# MISP types the exchange writes, with categories MISP's describeTypes allows for them.
CATEGORIES = {
    "md5": {"Payload delivery", "Artifacts dropped"},
    "sha1": {"Payload delivery", "Artifacts dropped"},
    "sha256": {"Payload delivery", "Artifacts dropped"},
    "pdq": {"Payload delivery", "Artifacts dropped"},
    "url": {"Network activity", "Payload delivery"},
    "domain": {"Network activity"},
    "text": {"Other", "Social network"},
}
KIND_OF = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdq": "pdq", "url": "url", "domain": "domain"}
EVENT_FIELDS = ["uuid", "info", "date", "analysis", "threat_level_id", "timestamp", "published", "Orgc", "Attribute"]
ATTRIBUTE_FIELDS = ["uuid", "type", "category", "value", "to_ids", "timestamp"]


def fail(message):
    print(message)
    sys.exit(1)


def main(directory, exchange, collection):
    origin = exchange + "/" + collection
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    if len(manifest) != 1:
        fail("manifest.json names %d events, not one per collection" % len(manifest))
    counts = collections.Counter()
    md5s = set()
    for event_uuid, summary in manifest.items():
        if uuid.UUID(event_uuid) != uuid.uuid5(NAMESPACE, "misp-event\n" + origin):
            fail("event uuid %s is not uuid5(namespace, 'misp-event\\n%s')" % (event_uuid, origin))
        path = os.path.join(directory, event_uuid + ".json")
        if not os.path.exists(path):
            fail("manifest names %s, which the feed lacks" % path)
        event = json.load(open(path))["Event"]
        for field in EVENT_FIELDS:
            if field not in event:
                fail("event %s lacks %s" % (event_uuid, field))
        for field in ["info", "date", "analysis", "threat_level_id", "timestamp", "Orgc"]:
            if summary.get(field) != event[field]:
                fail("manifest and event disagree on %s" % field)
        if event["uuid"] != event_uuid or not event["timestamp"].isdigit():
            fail("event uuid or timestamp malformed")
        if event["Orgc"]["uuid"] != str(uuid.uuid5(NAMESPACE, "org\n" + exchange)):
            fail("Orgc uuid is not uuid5(namespace, 'org\\n%s')" % exchange)
        seen = set()
        for attribute in event["Attribute"]:
            for field in ATTRIBUTE_FIELDS:
                if field not in attribute:
                    fail("attribute lacks %s: %s" % (field, attribute))
            kind = attribute["type"]
            if kind not in CATEGORIES or attribute["category"] not in CATEGORIES[kind]:
                fail("type %s with category %s is not MISP's" % (kind, attribute["category"]))
            ours = KIND_OF.get(kind) or ("account_id" if attribute["category"] == "Social network" else "keyword")
            want = uuid.uuid5(NAMESPACE, "signal\n%s\n%s\n%s" % (origin, ours, attribute["value"]))
            if uuid.UUID(attribute["uuid"]) != want or want.version != 5:
                fail("attribute uuid %s is not the signal's uuid5" % attribute["uuid"])
            if attribute["uuid"] in seen:
                fail("attribute uuid %s twice" % attribute["uuid"])
            seen.add(attribute["uuid"])
            md5s.add(hashlib.md5(attribute["value"].encode("utf-8")).hexdigest() + "," + event_uuid)
            counts[kind] += 1
    lines = open(os.path.join(directory, "hashes.csv")).read().splitlines()
    if set(lines) != md5s or len(lines) != len(md5s):
        fail("hashes.csv is not md5(value),event-uuid for exactly the attributes")
    for kind in sorted(counts):
        print("%s %d" % (kind, counts[kind]))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: misp_feed_check.py FEEDDIR EXCHANGE COLLECTION")
    main(*sys.argv[1:])
