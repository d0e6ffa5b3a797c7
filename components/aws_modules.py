"""A pulumi-aws resource class from its own module, for a small resource in a very large service.

`aws.<service>.<Class>` loads the service's whole package on first use: every resource, input
and output type of the service. Most resources need their package's types anyway, but WAFv2's
web ACL association needs none of the several thousand rule types its package defines (a
third of a second, a fifth of a production plan). `resource_class` runs just the module that
defines the class when that module is there, else takes the class from the package. It is the
same class either way: a program that later touches the package gets the module loaded here
(the package's `from .module import *` finds it in `sys.modules`).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pulumi_aws as aws


def resource_class(service: str, module: str, name: str) -> Any:
    """`aws.<service>.<name>`, defined in pulumi_aws/<service>/<module>.py."""
    qualified = f"pulumi_aws.{service}.{module}"
    loaded = sys.modules.get(qualified)
    if loaded is None:
        path = Path(aws.__file__).parent / service / f"{module}.py"
        spec = importlib.util.spec_from_file_location(qualified, path)
        if spec is None or spec.loader is None or not path.is_file():
            return getattr(getattr(aws, service), name)  # laid out differently: the package
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[qualified]
            raise
    return getattr(loaded, name)
