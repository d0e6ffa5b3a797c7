"""Errors the offline tools report without a traceback (kept free of Pulumi imports, so the CLI
can name them before the engine loads)."""


class EngineError(Exception):
    """The program did something the real engine or AWS would reject."""
