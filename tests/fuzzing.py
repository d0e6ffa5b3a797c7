"""Config fuzzing shared by tests/test_fuzz_corpus.py and benchmarks/fuzz.py.

Mutations of the tests' stack fixtures (tests/fixtures/stacks): values of the wrong type or out
of range, missing keys, unknown keys, misspelt keys, and broken cross-references (load balancer
names, container names, capacity providers, listener priorities, CIDRs, secrets in plain
environment variables).
`classify` runs `python -m offline plan` in-process and says what happened.
"""

from __future__ import annotations

import contextlib
import copy
import io
import tempfile
import traceback
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from offline.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
FIXTURES = ROOT / "tests" / "fixtures" / "stacks"
SEEDS = {s: yaml.safe_load((FIXTURES / f"Pulumi.{s}.yaml").read_text()) for s in STACKS}

BOUNDARY_INTS = [-1, 0, 1, 2, 3, 6, 7, 100, 120, 121, 255, 256, 512, 1000, 1024, 3072, 3653,
                 3654, 5000, 50_000, 50_001, 65535, 65536, 2**31]  # fmt: skip
scalars = (
    st.none() | st.booleans() | st.sampled_from(BOUNDARY_INTS) | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["FARGATE", "FARGATE_SPOT", "EC2", "public", "internal", "10.0.0.0/16",
                       "10.40.0.0/15", "0.0.0.0/0", "arn:aws:s3:::x", "perAz", "256", "true",
                       "/*", "root", "latest", "X86_64", "network", "application"])
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
SECRET_ENTRIES = [
    ("DB_PASSWORD", "hunter2"),
    ("API_TOKEN", "abc123"),
    ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
    ("X", "AKIAIOSFODNN7EXAMPLE"),
    ("PASSWORD_URL", "https://vault"),
    ("SECRET_ARN", "arn:aws:secretsmanager:x"),
]


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def _services(cfg: dict[str, Any]) -> dict[str, Any]:
    services = cfg.setdefault("ecs-platform:services", {})
    return services if isinstance(services, dict) else {}


def _cross_reference(draw: st.DrawFn, cfg: dict[str, Any]) -> None:
    services = _services(cfg)
    if not services:
        return
    name = draw(st.sampled_from(sorted(services, key=str)))
    svc = services[name]
    if not isinstance(svc, dict):
        return
    declared = cfg.get("ecs-platform:loadBalancers")
    lbs = sorted(map(str, declared)) if isinstance(declared, dict) else []
    kind = draw(st.sampled_from(["lb", "priority", "provider", "depends", "cidr", "secret",
                                 "port", "sidecar-port", "public-ip"]))  # fmt: skip
    if kind == "lb":
        svc["loadBalancer"] = {"name": draw(st.sampled_from([*lbs, "nope", "Public", ""]))}
        if draw(st.booleans()):
            svc["containerPort"] = draw(st.sampled_from([80, 8080, 8883]))
    elif kind == "priority":
        for other in services.values():
            if isinstance(other, dict) and isinstance(other.get("loadBalancer"), dict):
                other["loadBalancer"]["priority"] = draw(st.sampled_from([1, 100, 50_000]))
    elif kind == "provider":
        svc["capacityProviders"] = draw(st.lists(st.fixed_dictionaries(
            {"provider": st.sampled_from(["FARGATE", "FARGATE_SPOT", "EC2", "SPOT"]),
             "base": st.sampled_from([0, 1, 3]), "weight": st.sampled_from([0, 1, 3])}),
            min_size=0, max_size=3))  # fmt: skip
    elif kind == "depends":
        svc["dependsOn"] = [{"container": draw(st.sampled_from(["app", "otel", "nope"]))}]
    elif kind == "cidr" and isinstance(cfg.get("ecs-platform:network"), dict):
        cfg["ecs-platform:network"]["cidrBlock"] = draw(
            st.sampled_from(["10.40.0.0/15", "10.40.0.1/16", "10.0.0.0/28", "192.168.0.0/16"])
        )
    elif kind == "secret":
        key, value = draw(st.sampled_from(SECRET_ENTRIES))
        env = svc.get("environment")
        svc["environment"] = {**(env if isinstance(env, dict) else {}), key: value}
    elif kind == "port":
        svc["containerPort"] = draw(st.sampled_from([0, 22, 80, 4317, 65536]))
    elif kind == "sidecar-port":
        svc["sidecars"] = {"proxy": {"image": "envoy:1.31", "ports": [8080]}}
    else:
        svc["assignPublicIp"] = True


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    stack = draw(st.sampled_from(STACKS))
    doc = copy.deepcopy(SEEDS[stack])
    cfg = doc["config"]
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "delete", "unknown", "typo", "xref", "xref"]))
        if action == "xref":
            _cross_reference(draw, cfg)
            continue
        mutate_once(draw, cfg, action, values)
    return stack, doc


def mutate_once(draw: st.DrawFn, cfg: dict[str, Any], action: str, values: Any) -> None:
    """At a random key or item of `cfg`: replace its value, delete it, or rename the key
    (`unknown`: a suffix; `typo`: a letter dropped)."""
    path = draw(st.sampled_from(paths(cfg)))
    parent: Any = cfg
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = draw(values)
    elif action == "delete":
        parent.pop(last)
    elif isinstance(parent, dict):
        value = parent.pop(last)
        name = str(last)
        if action == "typo" and len(name) > 1:
            i = draw(st.integers(0, len(name) - 1))
            name = name[:i] + name[i + 1 :]
        else:
            name = name + draw(st.text("xyz", min_size=1, max_size=2))
        parent[name] = value


def classify(stack: str, doc: dict[str, Any]) -> tuple[str, str]:
    """('accepted' | 'refused' | 'bad', detail): accepted = planned (exit 0, or 3 with the
    report); refused = exit 2 with one line on stderr; bad = anything else (a bug)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(doc))
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["plan", "--stack", stack, "--config-file", str(path)])
        except SystemExit as exc:  # e.g. argparse; should not happen
            return "bad", f"SystemExit {exc.code}: {err.getvalue()}"
        except Exception:
            return "bad", traceback.format_exc()
    text = err.getvalue()
    if code in (0, 3) and "Traceback" not in text:
        return "accepted", f"exit {code}"
    if code == 2 and text.count("\n") == 1 and "Traceback" not in text:
        return "refused", text.strip()
    return "bad", f"exit {code}: {text}"
