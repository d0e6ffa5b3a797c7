"""JSON Schema of a `Pulumi.<stack>.yaml` file, generated from the StackConfig models.

Editors use it for completion and validation (see README, "Editing stack files"). The schema
covers the shape (keys, types, enums, ranges); rules across keys (Fargate cpu/memory pairs,
CIDR overlaps, rule priorities) are checked by the config layer at plan and `pulumi up` time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.config import PROJECT, PROJECT_DIR, StackConfig

SCHEMA_PATH = PROJECT_DIR / "schema" / "stack-config.schema.json"


def stack_file_schema() -> dict[str, Any]:
    model = StackConfig.model_json_schema(by_alias=True, mode="validation")
    defs = model.pop("$defs", {})
    properties: dict[str, Any] = {
        "aws:region": {
            "type": "string",
            "pattern": r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$",
            "description": "AWS region of the stack, e.g. ap-northeast-2.",
        },
        "aws:defaultTags": {
            "type": "object",
            "description": "Tags the AWS provider adds to every resource: {tags: {Key: Value}}.",
        },
    }
    for key, prop in model["properties"].items():
        if key in ("region", "stack"):
            continue
        properties[f"{PROJECT}:{key}"] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/ecs-platform/ecs-platform/schema/stack-config.schema.json",
        "title": "ecs-platform stack config (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "required": ["aws:region"],
                # Other providers' and Pulumi's own keys are allowed; ours are checked above.
                "patternProperties": {f"^(?!{PROJECT}:)": {}},
                "additionalProperties": False,
            },
            "encryptionsalt": {"type": "string"},
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "environment": {},
        },
        "additionalProperties": False,
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    Path(SCHEMA_PATH).write_text(schema_text())
