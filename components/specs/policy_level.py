"""Policy level of a stack: which environment's rule levels (dev, staging, prod) it is held to.

`ecs-platform:policyLevel` picks one explicitly. Its default, `auto`, derives the level from the
stack name, so a copied or renamed stack file keeps a sensible level without an extra key:
a name with a production word in it (prod, production, prd, live) is prod; a name with a staging
word (staging, stage, stg, preprod, uat) is staging; every other name (dev, sandbox, first,
feature-x) is dev. Words are the parts of the name between `-`, `_` and `.`, so `shop-prod` and
`eu_live` are prod while `product-demo` is dev. A stack that serves production traffic under
another name sets `policyLevel: prod`.
"""

from __future__ import annotations

import re
from typing import Literal

PolicyLevel = Literal["dev", "staging", "prod"]
PolicyLevelSetting = Literal["auto", "dev", "staging", "prod"]

PROD_WORDS = frozenset({"prod", "production", "prd", "live"})
STAGING_WORDS = frozenset({"staging", "stage", "stg", "preprod", "uat"})


def level_from_stack_name(stack: str) -> PolicyLevel:
    """The documented default: prod words first, then staging words, else dev."""
    words = {w for w in re.split(r"[-_.]+", stack.lower()) if w}
    if words & PROD_WORDS:
        return "prod"
    if words & STAGING_WORDS:
        return "staging"
    return "dev"


def resolve(setting: PolicyLevelSetting, stack: str) -> tuple[PolicyLevel, str]:
    """(level, why): the configured level, or the stack name's, with a sentence saying which."""
    if setting != "auto":
        return setting, f"set by ecs-platform:policyLevel: {setting}"
    level = level_from_stack_name(stack)
    return level, (
        f"from the stack name {stack!r} (set ecs-platform:policyLevel to dev, staging or prod "
        "to choose)"
    )
