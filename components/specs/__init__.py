"""Plain-data specs parsed from stack config (pydantic v2, camelCase keys, extra keys forbidden).

A spec holds no Outputs and does no I/O: what decides how many resources exist is a plain value.
Every rule AWS would apply at `pulumi up` that a type cannot express is checked here.
"""
