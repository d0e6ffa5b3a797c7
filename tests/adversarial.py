"""Equivalent spellings of forbidden things, for the adversarial policy suite.

Each strategy draws one way an attacker (or a hurried engineer) could write something the prod
gate must refuse, changing only the stack file: wildcards in every spelling, the internet in
CIDR pieces, zero-padded uids, secrets encoded or hidden in commands, untrusted or moving image
references, Spot without an on-demand base. `attack()` applies one drawn spelling of every kind
to a copy of the prod stack file, each kind on its own resource, so one plan answers for all of
them; `NEIGHBOURS` are the allowed look-alikes that must still plan clean.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from policy import managed_policies

ROOT = Path(__file__).resolve().parent.parent
PROD = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
ACCOUNT, REGION = "123456789012", "ap-northeast-2"
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

# -- spellings -------------------------------------------------------------------------------


def _case(draw: st.DrawFn, text: str) -> str:
    """IAM matches actions case-insensitively: any mix of cases is the same action."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))


@st.composite
def whole_service_action(draw: st.DrawFn, service: str) -> str:
    """`service:*` spelled so that no string comparison with ":*" catches it."""
    stars = draw(st.integers(2, 4))
    return f"{service}:{'*' * stars}"


@st.composite
def partial(draw: st.DrawFn, action: str) -> str:
    """An action hidden behind a partial wildcard: iam:PassRole as iam:Pass*, iam:*Role ..."""
    service, name = action.split(":")
    cut = draw(st.integers(1, len(name) - 1))
    form = draw(st.sampled_from(["prefix", "suffix", "middle"]))
    if form == "prefix":
        name = name[:cut] + "*"
    elif form == "suffix":
        name = "*" + name[cut:]
    else:
        name = name[:cut] + "*" + name[min(len(name), cut + 1) :]
    return f"{service}:{_case(draw, name)}"


def broad_arn(service: str, kind: str, config: bool = False) -> st.SearchStrategy[str]:
    """An ARN pattern that covers every resource of a kind, in several spellings (`config`:
    only those the stack file's ARN check lets through, with a literal region and account)."""
    region = st.sampled_from([REGION] if config else [REGION, "*"])
    account = st.sampled_from([ACCOUNT] if config else [ACCOUNT, "*"])
    tail = st.sampled_from(["*", "**", "?*", "*?"])
    if service == "iam":
        return st.builds(lambda a, t, k: f"arn:aws:iam::{a}:{k}{t}", account, tail,
                         st.sampled_from(["", f"{kind}/"]))  # fmt: skip
    if service == "s3":
        return st.sampled_from(["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:s3:::*?/*"])
    sep = "/" if kind in ("task-definition",) else ":"
    prefixes = [""] if service == "sqs" else [f"{kind}{sep}", ""]  # a queue ARN ends in its name
    return st.builds(lambda r, a, t, k: f"arn:aws:{service}:{r}:{a}:{k}{t}", region, account,
                     tail, st.sampled_from(prefixes))  # fmt: skip


def _broad_managed() -> list[str]:
    """AWS managed policies that grant whole services (found by their documents)."""
    from policy.rules import grants

    out = []
    for arn in managed_policies.arns():
        doc = managed_policies.document(arn)
        if any("whole" in p or "every action" in p for g in grants.grants(doc)
               for p in grants.problems(g, strict=False)):  # fmt: skip
            out.append(arn)
    return sorted(out)


BROAD_MANAGED = _broad_managed()


@st.composite
def internet_pieces(draw: st.DrawFn, family: int = 4) -> list[str]:
    """The whole address space of a family as a random partition into CIDR blocks."""
    whole = ipaddress.ip_network("0.0.0.0/0" if family == 4 else "::/0")
    pieces = [whole]
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(pieces) - 1))
        if pieces[i].prefixlen < 8:
            pieces[i : i + 1] = list(pieces[i].subnets(prefixlen_diff=1))
    order = draw(st.permutations(range(len(pieces))))
    return [str(pieces[j]) for j in order]


@st.composite
def root_user(draw: st.DrawFn) -> str | int:
    """uid 0 or root, zero-padded, with or without a group."""
    user = draw(st.sampled_from(["root", "0" * draw(st.integers(1, 4)), 0]))
    if isinstance(user, int) or not draw(st.booleans()):
        return user
    group = draw(st.sampled_from(["root", "0", "000", "1000", "app"]))
    return f"{user}:{group}"


AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
STRIPE_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


@st.composite
def secret_value(draw: st.DrawFn) -> str:
    """A credential in a value whose name says nothing, encoded or embedded."""
    raw = draw(st.sampled_from([
        AWS_KEY, STRIPE_KEY, "postgres://app:" + "hunter2@db.internal/shop",
        "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789",
        "-----BEGIN RSA PRIVATE KEY-----",
    ]))  # fmt: skip
    encode = draw(st.sampled_from(["plain", "base64", "urlsafe", "hex", "percent", "embedded"]))
    if encode == "base64":
        return base64.b64encode(raw.encode()).decode()
    if encode == "urlsafe":
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    if encode == "hex":
        return raw.encode().hex()
    if encode == "percent":
        return urllib.parse.quote(raw, safe="")
    if encode == "embedded" and raw != "-----BEGIN RSA PRIVATE KEY-----":
        return f"key={raw}"
    return raw


SECRET_NAMES = ["DB_PASS", "DB_PASSWORD", "JWT_SIGNING_KEY", "API_KEY", "SESSION_SECRET",
                "dbPassword", "STRIPE_API_KEY", "GITHUB_TOKEN", "ADMIN_PWD", "SMTP_PASSWD",
                "client-secret", "PRIVATE_KEY", "MASTER_KEY", "AUTH_TOKEN", "MYSQL_ROOT_PW",
                "BASIC_AUTH", "APP_KEY", "DB_CREDENTIAL_VALUE"]  # fmt: skip
# Look-alikes that describe a secret rather than hold one.
SECRET_NEIGHBOURS = ["DB_PASSWORD_FILE", "TOKEN_TTL", "SESSION_SECRET_NAME", "API_KEY_ID",
                     "PASSWORD_MIN_LENGTH", "TOKENIZER_MODEL", "BYPASS_CACHE", "CACHE_KEY",
                     "SECRET_ARN", "JWT_ISSUER", "ACCESS_TOKEN_URL", "AUTH_DOMAIN",
                     "OAUTH_CLIENT_ID", "AUTH_ENABLED", "PASSWORD_RESET_URL"]  # fmt: skip


@st.composite
def secret_in_command(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(["PGPASSWORD", "DB_PASS", "API_TOKEN", "MYSQL_PWD"]))
    password = draw(st.text("abcdefghXYZ0123456789", min_size=6, max_size=12))
    form = draw(st.sampled_from(["env", "flag", "flag-space", "url"]))
    if form == "env":
        return ["sh", "-c", f"{name}={password} /app/run"]
    if form == "flag":
        return ["/app/run", f"--{draw(st.sampled_from(['password', 'db-password', 'token']))}"
                f"={password}"]  # fmt: skip
    if form == "flag-space":
        return ["/app/run", "--password", password]
    return ["/app/run", "--db", f"postgres://app:{password}@db.internal/shop"]


@st.composite
def untrusted_image(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["1.8.3", "v2.0.1"]))
    return draw(st.sampled_from([
        f"docker.io/shop/web:{tag}", f"shop/web:{tag}", f"nginx:{tag}",
        f"index.docker.io/library/nginx:{tag}", f"registry-1.docker.io/shop/web:{tag}",
        f"210987654321.dkr.ecr.us-east-1.amazonaws.com/shop/web:{tag}",
        f"210987654321.dkr.ecr.{REGION}.amazonaws.com/shop/web:{tag}",
        f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/shop/web:{tag}",
        f"ghcr.io/shop/web:{tag}", f"quay.io/shop/web:{tag}",
    ]))  # fmt: skip


@st.composite
def moving_tag(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["main", "latest", "master", "stable", "develop", "edge",
                                "prod", "release", "Latest", "nightly", None]))  # fmt: skip
    return f"{ECR}/shop/api" + (f":{tag}" if tag else "")


# -- the attack: every kind at once on the prod stack file -------------------------------------


@dataclass(frozen=True)
class Expect:
    kind: str
    policy: str
    resource: str  # the resource the violation must name (its logical name)


def _svc(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    return cfg["ecs-platform:services"][name]


def _statement(cfg: dict[str, Any], service: str, actions: list[str], resources: list[str]) -> None:
    role = _svc(cfg, service).setdefault("taskRole", {})
    role.setdefault("statements", []).append({"actions": actions, "resources": resources})


@st.composite
def attack(draw: st.DrawFn) -> tuple[dict[str, Any], list[Expect]]:
    """A prod stack file with one drawn spelling of every kind, and what must be refused."""
    doc = copy.deepcopy(PROD)
    cfg = doc["config"]
    expect: list[Expect] = []

    # 1. IAM wildcards in other spellings: full IAM control / every bucket
    service = draw(st.sampled_from(["iam", "s3"]))
    kind = "role" if service == "iam" else "bucket"
    action, resource = draw(whole_service_action(service)), draw(broad_arn(service, kind, True))
    _statement(cfg, "api", [action], [resource])
    expect.append(Expect("iam-wildcard", "iam-no-wildcard-actions", "api-task"))

    # 2. privilege escalation through partial wildcards
    _statement(cfg, "web", [draw(partial("iam:PassRole")), draw(partial("ecs:RunTask"))],
               [draw(broad_arn("iam", "role", config=True))])  # fmt: skip
    expect.append(Expect("privesc", "iam-no-privesc", "web-task"))

    # 3. broad AWS managed policies, found by their documents
    # (AdministratorAccess itself is refused by the config: exit 2)
    arn = draw(
        st.sampled_from([a for a in BROAD_MANAGED if not a.endswith("/AdministratorAccess")])
    )
    _svc(cfg, "renderer").setdefault("taskRole", {})["managedPolicyArns"] = [arn]
    attachment = f"renderer-task-{arn.rsplit('/', 1)[-1]}"
    expect.append(Expect("managed", "iam-no-admin-policies", attachment))

    # 4. resource wildcards on sensitive services: every secret
    _statement(cfg, "api", ["secretsmanager:" + _case(draw, "GetSecretValue")],
               [draw(broad_arn("secretsmanager", "secret", config=True))])  # fmt: skip
    expect.append(Expect("secret-wildcard", "iam-no-wildcard-actions", "api-task"))

    # 5. the internet in pieces, to an admin port (directly or behind another listener port)
    lb = cfg["ecs-platform:loadBalancers"]["mqtt"]
    lb["allowedCidrs"] = draw(internet_pieces(4)) + (draw(internet_pieces(6))
                                                    if draw(st.booleans()) else [])  # fmt: skip
    broker = _svc(cfg, "broker")
    admin = draw(st.sampled_from([22, 3389, 3306, 5432]))
    broker["containerPort"] = admin
    broker["healthCheck"] = {"command": ["CMD-SHELL", f"nc -z localhost {admin} || exit 1"]}
    listener = draw(st.sampled_from([admin, 2222, 10022, 443]))
    broker["loadBalancer"]["listenerPort"] = listener
    expect.append(
        Expect(
            "internet-pieces",
            "net-no-world-admin-ports",
            "broker-listener" if listener != admin else "broker-lb",
        )
    )

    # 6. public IPs on a scheduled task (and a worker)
    cfg["ecs-platform:scheduledTasks"] = {"report": {**_hardened(), "schedule": "cron(0 3 * * ? *)",
                                                     "assignPublicIp": True}}  # fmt: skip
    expect.append(Expect("public-ip", "ecs-svc-no-public-ip", "report-schedule"))

    # 7. root in other spellings: the app or its sidecar
    where = draw(st.sampled_from(["app", "sidecar"]))
    target = _svc(cfg, "web") if where == "app" else _svc(cfg, "web")["sidecars"]["otel"]
    target["user"] = draw(root_user())
    expect.append(Expect("root", "ecs-td-non-root-user", "web-taskdef"))

    # 9. WAF skipped: HTTP through an internet-facing NLB
    cfg["ecs-platform:loadBalancers"]["edge"] = {"type": "network", "certificateArn": CERT,
                                                 "deletionProtection": True,
                                                 "accessLogs": {"retentionDays": 90}}  # fmt: skip
    cfg["ecs-platform:services"]["shop"] = {
        **_hardened(), "containerPort": draw(st.sampled_from([80, 8080, 8000])), "desiredCount": 3,
        "loadBalancer": {"name": "edge", "listenerPort": draw(st.sampled_from([443, 80, 8443]))},
    }  # fmt: skip
    expect.append(Expect("waf-skipped", "lb-waf", "shop-listener"))

    # 10. untrusted or moving images
    _svc(cfg, "web")["image"] = draw(untrusted_image())
    expect.append(Expect("untrusted-image", "ecs-td-image-registry", "web-taskdef"))
    _svc(cfg, "api")["image"] = draw(moving_tag())
    expect.append(Expect("moving-tag", "ecs-td-image-pinned", "api-taskdef"))

    # 11. fragility: Managed Instances Spot without a base, scaling to zero, short access logs
    cfg["ecs-platform:cluster"]["managedInstances"] = {"capacityOptionType": "SPOT"}
    _svc(cfg, "renderer")["capacityProviders"] = [{"provider": "MANAGED_INSTANCES", "weight": 1}]
    expect.append(Expect("spot-managed-instances", "ecs-svc-spot-base", "renderer-service"))
    scaling = _svc(cfg, "web")["autoscaling"]
    scaling["schedules"] = [{"name": "night", "schedule": "cron(0 20 ? * * *)",
                             "timezone": "Asia/Seoul", "minCount": 0,
                             "maxCount": draw(st.integers(0, 3))}]  # fmt: skip
    expect.append(Expect("scale-to-zero", "ecs-svc-min-tasks", "web-service"))
    days = draw(st.sampled_from([1, 3, 7, 30, 60]))
    cfg["ecs-platform:loadBalancers"]["public"]["accessLogs"] = {"retentionDays": days}
    expect.append(Expect("short-access-logs", "lb-access-logs", "public-lb"))
    return doc, expect


def _hardened() -> dict[str, Any]:
    """A workload that passes every prod rule on its own."""
    return {
        "image": f"{ECR}/shop/report:1.0.0", "cpu": 256, "memory": 512,
        "cpuArchitecture": "ARM64", "readonlyRootFilesystem": True, "user": "10001",
        "healthCheck": {"command": ["CMD", "/app/healthcheck"]}, "stopTimeoutSeconds": 10,
        "logRetentionDays": 365,
    }  # fmt: skip


def neighbours() -> dict[str, Any]:
    """The allowed look-alikes of every kind, on the prod stack file: must plan clean."""
    doc = copy.deepcopy(PROD)
    cfg = doc["config"]
    api = _svc(cfg, "api")
    # scoped grants: one bucket's objects, one secret, one role passed with its own service
    api["taskRole"]["statements"] += [
        {"actions": ["s3:GetObject", "s3:PutObject"],
         "resources": ["arn:aws:s3:::shop-prod-uploads/*"]},
        {"actions": ["secretsmanager:GetSecretValue"],
         "resources": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/shop/db-Z9y8X7"]},
        {"actions": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
         "resources": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:shop-orders"]},
    ]  # fmt: skip
    # look-alike names, a version tag, a digest, a non-root uid given as an integer
    api["environment"] = {**api["environment"], **{n: "x" for n in ("TOKEN_TTL", "DB_PASSWORD_FILE",
                          "SESSION_SECRET_NAME", "CACHE_KEY")}}  # fmt: skip
    api["environment"]["DB_PASSWORD_FILE"] = "/run/secrets/db"
    api["user"] = 10001
    api["image"] = f"{ECR}/shop/api@sha256:" + "0123456789abcdef" * 4
    _svc(cfg, "web")["image"] = f"{ECR}/shop/web:2024.05.01-3f78685"
    # CIDRs that are not the internet: the VPC and two offices
    cfg["ecs-platform:loadBalancers"]["mqtt"]["allowedCidrs"] = [
        "10.0.0.0/8",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
    ]
    # a scheduled task in private subnets; scaling that keeps 3 tasks at night
    report = {**_hardened(), "schedule": "cron(0 3 * * ? *)"}
    cfg["ecs-platform:scheduledTasks"] = {"report": report}
    _svc(cfg, "web")["autoscaling"]["schedules"] = [
        {"name": "night", "schedule": "cron(0 20 ? * * *)", "timezone": "Asia/Seoul",
         "minCount": 3, "maxCount": 6}]  # fmt: skip
    return doc


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True)
