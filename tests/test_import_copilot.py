"""`python -m offline import-copilot`: each corpus manifest plans offline or names what it left."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from offline.__main__ import main
from offline.importers.check import plan_stack, validate
from offline.importers.copilot import import_copilot
from offline.importers.copilot.jobs import schedule_expression
from offline.importers.copilot.parse import merge
from offline.importers.findings import StackImport

CORPUS = sorted((Path(__file__).parent / "fixtures" / "corpus" / "copilot").glob("*.yml"))
APP = Path(__file__).parent / "fixtures" / "copilot-app"
REGION, ACCOUNT = "us-east-1", "123456789012"
TARGET = {
    "lb-web-service": "ecs-platform:services",
    "backend-service": "ecs-platform:services",
    "worker-service": "ecs-platform:workers",
    "scheduled-job": "ecs-platform:scheduledTasks",
}


def _app(tmp_path: Path, manifest: Path) -> Path:
    """A copilot/ directory holding one corpus manifest where Copilot keeps it."""
    kind, name = manifest.stem.split("__")
    root = tmp_path / "copilot"
    folder = root / "environments" / name if kind == "environment" else root / name
    folder.mkdir(parents=True)
    shutil.copy(manifest, folder / "manifest.yml")
    return root


def test_the_corpus_holds_twenty_copilot_manifests():
    assert len(CORPUS) == 20


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_corpus_manifest_plans_offline_in_every_environment(tmp_path: Path, path: Path):
    kind = path.stem.split("__")[0]
    result = import_copilot(_app(tmp_path, path), region=REGION, account=ACCOUNT)
    assert result.stacks
    for env, stack in result.stacks.items():
        validate(stack, env)
        plan = plan_stack(stack, env)
        services = stack.config.get("ecs-platform:services", {})
        workers = stack.config.get("ecs-platform:workers", {})
        ecs = sorted(r.name for r in plan.of_type("aws:ecs/service:Service"))
        assert ecs == sorted(f"{n}-service" for n in [*services, *workers])
        if kind in TARGET:
            imported = stack.config.get(TARGET[kind], {})
            skipped = any("skipped" in f.message for f in stack.findings)
            assert len(imported) == 1 or skipped, f"{env}: workload neither imported nor reported"
        elif kind != "environment":
            assert [f.where for f in stack.findings if f.kind == "unmapped"] == ["type"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_top_level_key_is_mapped_or_reported(tmp_path: Path, path: Path):
    from offline.importers.common import load_yaml

    doc = load_yaml(path)
    result = import_copilot(_app(tmp_path, path), region=REGION, account=ACCOUNT)
    handled = {
        "name", "type", "image", "cpu", "memory", "count", "variables", "secrets", "command",
        "entrypoint", "http", "nlb", "network", "storage", "sidecars", "deployment", "logging",
        "subscribe", "on", "retries", "environments", "observability", "platform", "exec",
    }  # fmt: skip
    for stack in result.stacks.values():
        wheres = {f.where.split(".")[0] for f in stack.findings}
        if any(f.where == "type" or "workload skipped" in f.message for f in stack.findings):
            continue  # the whole workload is reported (App Runner, Static Site, no image)
        for key in doc:
            assert key in handled or key in wheres, f"{key} is neither mapped nor reported"


def test_a_copilot_app_written_like_the_docs_imports_to_exactly_these_files(
    tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.chdir(APP)
    args = ["import-copilot", "copilot", "--region", REGION, "--account", ACCOUNT]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.prod.yaml", "Pulumi.test.yaml"]
    for name in ("Pulumi.prod.yaml", "Pulumi.test.yaml"):
        expected = (APP / "expected" / name).read_text()
        assert (tmp_path / name).read_text() == expected, name


def test_an_environment_override_replaces_lists_and_merges_maps():
    base = {"count": {"range": "1-5", "cpu_percentage": 70}, "alias": ["a"], "http": False}
    override = {"count": {"range": "2-8"}, "alias": ["b"], "http": {"path": "/"}}
    assert merge(base, override) == {
        "count": {"range": "2-8", "cpu_percentage": 70},
        "alias": ["b"],
        "http": {"path": "/"},
    }


@pytest.mark.parametrize(
    ("copilot", "eventbridge"),
    [
        ("@daily", "cron(0 0 * * ? *)"),
        ("@weekly", "cron(0 0 ? * 1 *)"),
        ("@every 1h30m", "rate(90 minutes)"),
        ("@every 2h", "rate(2 hours)"),
        ("0 12 * * MON", "cron(0 12 ? * MON *)"),
        ("0 6 * * 1-5", "cron(0 6 ? * 2-6 *)"),
        ("0 0 * * 0,7", "cron(0 0 ? * 1,1 *)"),
        ("30 2 1 * *", "cron(30 2 1 * ? *)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
        ("0 0 1 * 1", None),  # Unix cron ORs day-of-month and day-of-week; EventBridge cannot
        ("@every 30s", None),
        ("none", None),
    ],
)
def test_schedules_become_eventbridge_expressions(copilot: str, eventbridge: str | None):
    assert schedule_expression(copilot) == eventbridge


def test_ssm_secrets_need_region_and_account_to_become_arns(tmp_path: Path):
    root = tmp_path / "copilot" / "api"
    root.mkdir(parents=True)
    (root / "manifest.yml").write_text(
        "name: api\ntype: Backend Service\nimage: {location: nginx}\nsecrets: {TOKEN: /app/token}\n"
    )
    without = import_copilot(tmp_path / "copilot").stacks["default"]
    assert "secrets" not in without.config["ecs-platform:services"]["api"]
    assert any(f.where == "secrets.TOKEN" and f.kind == "input" for f in without.findings)
    with_ids = import_copilot(tmp_path / "copilot", region=REGION, account=ACCOUNT)
    api = with_ids.stacks["default"].config["ecs-platform:services"]["api"]
    assert api["secrets"] == {"TOKEN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/token"}


def test_a_directory_without_manifests_is_an_input_error(tmp_path: Path, capsys):
    assert main(["import-copilot", str(tmp_path)]) == 2
    assert "no Copilot manifests" in capsys.readouterr().err


def test_an_unexpected_manifest_shape_is_reported_not_raised(tmp_path: Path):
    root = tmp_path / "copilot" / "odd"
    root.mkdir(parents=True)
    (root / "manifest.yml").write_text(
        "name: odd\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\n"
        "http: {path: /, healthcheck: 7}\nnetwork: oops\n"
    )
    stack: StackImport = import_copilot(tmp_path / "copilot").stacks["default"]
    assert any("unexpected manifest shape" in f.message for f in stack.findings)


def _manifest(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "copilot" / name / "manifest.yml"
    path.parent.mkdir(parents=True)
    path.write_text(f"name: {name}\n{text}")
    return path


def _job(tmp_path: Path, body: str) -> Path:
    return _manifest(
        tmp_path, "report", "type: Scheduled Job\nimage: {location: busybox:1.37}\n" + body
    )


def test_a_single_manifest_file_imports(tmp_path: Path):
    path = _job(tmp_path, "on: {schedule: '@daily'}\n")
    stack = import_copilot(path).stacks["default"]
    assert stack.config["ecs-platform:scheduledTasks"]["report"]["schedule"] == "cron(0 0 * * ? *)"


def test_a_job_with_schedule_none_is_kept_to_run_by_hand(tmp_path: Path):
    stack = import_copilot(_job(tmp_path, "on: {schedule: none}\n")).stacks["default"]
    task = stack.config["ecs-platform:scheduledTasks"]["report"]
    assert task["enabled"] is False
    assert not [f for f in stack.findings if f.kind == "unmapped" and f.where == "on.schedule"]


def test_a_manifest_key_given_twice_is_refused_as_copilot_does(tmp_path: Path, capsys):
    path = _job(tmp_path, "on: {schedule: '@daily'}\ncpu: 256\ncpu: 512\n")
    assert main(["import-copilot", str(path)]) == 2
    assert "cpu: duplicate key" in capsys.readouterr().err


def test_a_misspelt_subscribe_key_and_platform_are_reported_correctly(tmp_path: Path):
    path = _manifest(
        tmp_path,
        "jobs",
        "type: Worker Service\nimage: {location: busybox:1.37}\n"
        "platform: linux/x86_64\nsubscribe: {queues: {timeout: 60s}}\n",
    )
    stack = import_copilot(path).stacks["default"]
    wheres = {f.where: f.message for f in stack.findings if f.kind == "unmapped"}
    assert "did you mean queue?" in wheres["subscribe.queues"]
    assert "platform" not in wheres


def test_a_web_service_without_a_certificate_asks_for_one(tmp_path: Path):
    path = _manifest(
        tmp_path,
        "web",
        "type: Load Balanced Web Service\nimage: {location: nginx:1.27, port: 80}\n"
        "http: {path: /}\nexec: true\n",
    )
    stack = import_copilot(path).stacks["default"]
    assert any(f.kind == "input" and f.where == "loadBalancers.public.certificateArn"
               for f in stack.findings)  # fmt: skip
    assert stack.config["ecs-platform:services"]["web"]["executeCommand"] is True


def test_secret_looking_variables_are_left_out_with_the_shared_definition(tmp_path: Path):
    variables = "{DB_PASS: hunter2, TOKEN_TTL: '3600', DATABASE_URL: 'postgres://u:p@h/db'}"
    manifest = "name: api\ntype: Backend Service\nimage: {location: nginx}\nvariables: " + variables
    source = tmp_path / "service__api.yml"
    source.write_text(manifest + "\n")
    result = import_copilot(_app(tmp_path, source)).stacks["default"]
    assert result.config["ecs-platform:services"]["api"]["environment"] == {"TOKEN_TTL": "3600"}
    left = {f.where for f in result.findings if f.kind == "input"}
    assert {"variables.DB_PASS", "variables.DATABASE_URL"} <= left


def test_workers_and_jobs_take_their_sidecars_and_storage_like_services(tmp_path: Path):
    body = (
        "image: {location: busybox:1.37, depends_on: {proxy: start}}\n"
        "sidecars: {proxy: {image: public.ecr.aws/nginx/nginx:1.27, port: 8080}}\n"
        "storage:\n  ephemeral: 50\n  readonly_fs: true\n"
        "  volumes:\n    scratch: {path: /tmp/work}\n"
        "    data: {path: /data, efs: {id: fs-12345678}}\n"
    )
    _manifest(tmp_path, "jobs", "type: Worker Service\n" + body)
    _manifest(tmp_path, "report", "type: Scheduled Job\non: {schedule: '@daily'}\n" + body)
    stack = import_copilot(tmp_path / "copilot", region=REGION, account=ACCOUNT).stacks["default"]
    expected = {
        "ephemeralStorageGib": 50,
        "readonlyRootFilesystem": True,
        "writablePaths": ["/tmp/work"],
        "efsVolumes": [{"name": "data", "fileSystemId": "fs-12345678", "containerPath": "/data"}],
        "sidecars": {"proxy": {"image": "public.ecr.aws/nginx/nginx:1.27", "ports": [8080]}},
        "dependsOn": [{"container": "proxy", "condition": "START"}],
    }
    for key, name in (("ecs-platform:workers", "jobs"), ("ecs-platform:scheduledTasks", "report")):
        spec = stack.config[key][name]
        assert {k: spec.get(k) for k in expected} == expected, name
    assert not [f for f in stack.findings if f.where.split(".")[0] in ("storage", "sidecars")]
    validate(stack, "default")
    tasks = plan_stack(stack, "default").of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert sorted(t.name for t in tasks) == ["jobs-taskdef", "report-taskdef"]
    for task in tasks:
        containers = {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}
        assert containers["app"]["dependsOn"] == [{"containerName": "proxy", "condition": "START"}]
        assert containers["proxy"]["image"] == "public.ecr.aws/nginx/nginx:1.27"
        assert task.inputs["ephemeralStorage"] == {"sizeInGib": 50}


def test_workers_and_jobs_keep_command_entrypoint_health_check_and_platform(tmp_path: Path):
    body = (
        "image:\n  location: busybox:1.37\n"
        "  healthcheck: {command: ['CMD', '/bin/true'], interval: 10s, retries: 2}\n"
        "command: ['sh', '-c', 'work']\nentrypoint: ['/bin/sh']\nplatform: linux/arm64\n"
    )
    _manifest(tmp_path, "jobs", "type: Worker Service\n" + body)
    _manifest(tmp_path, "report", "type: Scheduled Job\non: {schedule: '@daily'}\n" + body)
    stack = import_copilot(tmp_path / "copilot", region=REGION, account=ACCOUNT).stacks["default"]
    for key, name in (("ecs-platform:workers", "jobs"), ("ecs-platform:scheduledTasks", "report")):
        spec = stack.config[key][name]
        assert spec["command"] == ["sh", "-c", "work"] and spec["entryPoint"] == ["/bin/sh"]
        assert spec["healthCheck"]["command"] == ["CMD", "/bin/true"]
        assert spec["cpuArchitecture"] == "ARM64"
    reported = {f.where for f in stack.findings if f.kind == "unmapped"}
    assert not reported & {"command", "entrypoint", "image.healthcheck", "platform"}
    validate(stack, "default")
