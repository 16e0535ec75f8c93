#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates what tests/e2e/taxii_e2e_test.cpp fetched from a real exchange.

  taxii_schema_check.py SCHEMAS_DIR FETCHED_DIR

SCHEMAS_DIR is the OASIS cti-stix2-json-schemas checkout
(../shared/vectors/stix2-json-schemas/schemas). Every line of
FETCHED_DIR/objects.jsonl is one STIX object and must validate against the
OASIS schema of its type (draft 2020-12; the schemas' $refs are resolved
against the local files by their $id, never over the network). Every
FETCHED_DIR/<resource>-*.json is one TAXII 2.1 response and must have the
shape TAXII 2.1 §4-§5 gives that resource (the small schemas below: required
fields, types, no unknown top-level fields).

Prints one line per kind of document checked and exits 1 at the first
invalid one, naming it and the schema's complaint.
"""
import glob
import json
import os
import sys

import jsonschema

STIX_SCHEMA_OF_TYPE = {
    "indicator": "sdos/indicator.json",
    "identity": "sdos/identity.json",
    "opinion": "sdos/opinion.json",
    "extension-definition": "common/extension-definition.json",
}

TIMESTAMP = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"}
TAXII_TYPE = "application/taxii+json;version=2.1"


def closed(properties, required):
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


TAXII_SHAPES = {
    # §4.1.1 discovery
    "discovery": closed({"title": {"type": "string"}, "description": {"type": "string"},
                         "contact": {"type": "string"}, "default": {"type": "string"},
                         "api_roots": {"type": "array", "items": {"type": "string"}}}, ["title"]),
    # §4.2.1 api-root
    "api-root": closed({"title": {"type": "string"}, "description": {"type": "string"},
                        "versions": {"type": "array", "items": {"type": "string"}, "contains": {"const": TAXII_TYPE}},
                        "max_content_length": {"type": "integer", "minimum": 0}},
                       ["title", "versions", "max_content_length"]),
    # §5.1.1 collections, §5.2.1 collection
    "collection": closed({"id": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
                          "title": {"type": "string"}, "description": {"type": "string"},
                          "alias": {"type": "string"}, "can_read": {"type": "boolean"},
                          "can_write": {"type": "boolean"},
                          "media_types": {"type": "array", "items": {"type": "string"}}},
                         ["id", "title", "can_read", "can_write"]),
    # §3.7 envelope
    "envelope": closed({"more": {"type": "boolean"}, "next": {"type": "string"},
                        "objects": {"type": "array", "items": {"type": "object", "required": ["type", "id"]}}}, []),
    # §5.3.1 manifest
    "manifest": closed({"more": {"type": "boolean"}, "next": {"type": "string"},
                        "objects": {"type": "array", "items": closed(
                            {"id": {"type": "string"}, "date_added": TIMESTAMP, "version": {"type": "string"},
                             "media_type": {"type": "string"}}, ["id", "date_added", "version"])}}, []),
    # §5.7.1 versions
    "versions": closed({"more": {"type": "boolean"}, "versions": {"type": "array", "items": TIMESTAMP}}, []),
    # §3.6.1 error
    "error": {"type": "object", "required": ["title"],
              "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                             "http_status": {"type": "string"}}},
}
TAXII_SHAPES["collections"] = closed({"collections": {"type": "array", "items": TAXII_SHAPES["collection"]}}, [])


def load_store(schemas_dir):
    store = {}
    for path in glob.glob(os.path.join(schemas_dir, "**", "*.json"), recursive=True):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        store[schema["$id"]] = schema
    return store


def stix_validator(store, schemas_dir, relative):
    with open(os.path.join(schemas_dir, relative), encoding="utf-8") as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, resolver=resolver)


def main():
    schemas_dir, fetched = sys.argv[1], sys.argv[2]
    store = load_store(schemas_dir)
    validators = {t: stix_validator(store, schemas_dir, p) for t, p in STIX_SCHEMA_OF_TYPE.items()}
    counts = {}
    with open(os.path.join(fetched, "objects.jsonl"), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            obj = json.loads(line)
            validator = validators.get(obj.get("type"))
            if validator is None:
                sys.exit(f"objects.jsonl:{number}: no schema for type {obj.get('type')!r}")
            errors = sorted(validator.iter_errors(obj), key=str)
            if errors:
                sys.exit(f"objects.jsonl:{number}: {obj.get('id')} does not validate: {errors[0].message}")
            counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    for kind, count in sorted(counts.items()):
        print(f"{count} {kind} objects validate against the STIX 2.1 schemas")
    checked = {}
    for path in sorted(glob.glob(os.path.join(fetched, "*-*.json"))):
        resource = os.path.basename(path).rsplit("-", 1)[0]
        shape = TAXII_SHAPES.get(resource)
        if shape is None:
            sys.exit(f"{path}: no TAXII shape named {resource!r}")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(jsonschema.Draft202012Validator(shape).iter_errors(doc), key=str)
        if errors:
            sys.exit(f"{os.path.basename(path)}: not a TAXII 2.1 {resource}: {errors[0].message}")
        checked[resource] = checked.get(resource, 0) + 1
    for resource, count in sorted(checked.items()):
        print(f"{count} {resource} responses have the TAXII 2.1 shape")
    if not counts or not checked:
        sys.exit("nothing was checked")


if __name__ == "__main__":
    main()
