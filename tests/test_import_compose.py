"""`python -m offline import-compose`: each corpus file plans offline or names what it left."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from offline.__main__ import main
from offline.importers.check import plan_stack, validate
from offline.importers.common import Yaml12Loader, secret_reason
from offline.importers.compose import import_compose
from offline.importers.compose.interpolation import interpolate
from offline.importers.compose.ports import parse_port
from offline.importers.compose.resources import memory_mib
from offline.importers.compose.tables import MAPPED

CORPUS = sorted((Path(__file__).parent / "fixtures" / "corpus" / "compose").glob("*.yaml"))
APP = Path(__file__).parent / "fixtures" / "compose-app"


def test_the_corpus_holds_twenty_compose_files():
    assert len(CORPUS) == 20


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_corpus_file_plans_offline_and_names_each_feature_left_out(path: Path):
    result = import_compose(path)
    stack = result.stacks["compose"]
    validate(stack, "compose")
    plan = plan_stack(stack, "compose")
    services = stack.config["ecs-platform:services"]
    ecs = plan.of_type("aws:ecs/service:Service")
    assert sorted(r.name for r in ecs) == sorted(f"{n}-service" for n in services)
    wheres = [f.where for f in stack.findings]
    doc = yaml.load(path.read_text(), Loader=Yaml12Loader)
    for name, body in doc["services"].items():
        for key in body:
            if key in MAPPED and key not in ("depends_on", "restart", "profiles", "secrets"):
                continue
            at = f"services.{name}.{key}"
            named = any(w == at or w.startswith(f"{at}.") for w in wheres)
            harmless = key == "restart" and str(body[key]) in ("always", "unless-stopped")
            assert named or harmless or not body[key], f"{at} is neither mapped nor reported"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_no_credential_reaches_plain_environment(path: Path):
    stack = import_compose(path).stacks["compose"]
    for name, svc in stack.config["ecs-platform:services"].items():
        for var, value in svc.get("environment", {}).items():
            assert secret_reason(var, value) is None, f"{name}.{var} looks like a secret"


def test_a_realistic_compose_file_imports_to_exactly_this(monkeypatch, capsys):
    monkeypatch.chdir(APP)
    assert main(["import-compose", "docker-compose.yml"]) == 0
    out = capsys.readouterr().out
    assert out == (APP / "expected.yaml").read_text()


def test_compose_resources_become_the_cheapest_fargate_size_that_covers_them(tmp_path: Path):
    config = _import(tmp_path, "deploy: {resources: {limits: {cpus: '2.5', memory: 3g}}}")
    assert (config["cpu"], config["memory"]) == (4096, 8192)


def test_a_service_without_resources_gets_the_smallest_fargate_size(tmp_path: Path):
    config = _import(tmp_path, "")
    assert (config["cpu"], config["memory"]) == (256, 512)


def test_yaml_1_2_keeps_on_and_no_as_strings(tmp_path: Path):
    config = _import(tmp_path, "environment: {FLAG: on, OTHER: no}")
    assert config["environment"] == {"FLAG": "on", "OTHER": "no"}


def test_udp_ports_are_reported_and_not_mapped(tmp_path: Path):
    stack = _stack(tmp_path, "ports: ['53:53/udp']")
    assert "containerPort" not in stack.config["ecs-platform:services"]["app"]
    assert [f.where for f in stack.findings] == ["services.app.ports"]
    assert "UDP" in stack.findings[0].message


def test_only_one_web_service_takes_the_catch_all_rule(tmp_path: Path):
    path = tmp_path / "compose.yaml"
    path.write_text(
        "services:\n  a: {image: x, ports: ['8081:80']}\n  b: {image: y, ports: ['8080:80']}\n"
    )
    stack = import_compose(path).stacks["compose"]
    services = stack.config["ecs-platform:services"]
    assert services["b"]["loadBalancer"] == {"name": "public"}
    assert "loadBalancer" not in services["a"]
    assert any(f.kind == "input" and f.where == "services.a.ports" for f in stack.findings)


def test_a_file_without_services_is_an_input_error(tmp_path: Path, capsys):
    path = tmp_path / "compose.yaml"
    path.write_text("version: '3'\n")
    assert main(["import-compose", str(path)]) == 2
    assert "no services: mapping" in capsys.readouterr().err


def test_interpolation_takes_defaults_and_reports_missing_variables():
    assert interpolate("a:${TAG:-1.0}") == ("a:1.0", ["TAG"], [])
    assert interpolate("$$HOME ${X}") == ("$HOME ${X}", [], ["X"])
    assert interpolate("${X+set}") == ("", [], [])


def test_port_and_memory_syntax():
    port = parse_port("127.0.0.1:9229:9229")
    assert port is not None and (port.host_ip, port.published, port.container) == (
        "127.0.0.1",
        9229,
        9229,
    )
    assert parse_port("8000-8010:8000-8010") is None
    assert memory_mib("1.5G") == 1536 and memory_mib("512m") == 512


def _stack(tmp_path: Path, body: str):
    path = tmp_path / "compose.yaml"
    path.write_text(f"services:\n  app:\n    image: nginx\n    {body}\n")
    return import_compose(path).stacks["compose"]


def _import(tmp_path: Path, body: str):
    return _stack(tmp_path, body).config["ecs-platform:services"]["app"]


def test_interpolation_follows_compose_for_every_form():
    env = {"SET": "v", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", env)[0] == "v d  d"
    assert interpolate("${SET:+r}|${EMPTY:+r}|${EMPTY+r}|${UNSET+r}", env)[0] == "r||r|"
    assert interpolate("${EMPTY:?need it}", env)[2] == ["EMPTY"]
    assert interpolate("${EMPTY?need it}", env) == ("", [], [])
    assert interpolate("${UNSET:-${SET}}", env) == ("v", ["UNSET"], [])
    assert interpolate("${UNSET:-${ALSO}}", env)[2] == ["ALSO"]


def _compose(tmp_path: Path, text: str, env: str | None = None) -> Path:
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    if env is not None:
        (tmp_path / ".env").write_text(env)
    return path


def test_the_env_file_beside_the_compose_file_supplies_variables(tmp_path: Path):
    path = _compose(tmp_path, "services:\n  app: {image: 'shop/app:${TAG}'}\n", "TAG=2.1\n")
    stack = import_compose(path).stacks["compose"]
    assert stack.config["ecs-platform:services"]["app"]["image"] == "shop/app:2.1"
    assert any(".env" in note for note in stack.notes)


def test_env_file_options_replace_the_default_env_file(tmp_path: Path, capsys):
    path = _compose(tmp_path, "services:\n  app: {image: 'shop/app:${TAG}'}\n", "TAG=2.1\n")
    other = tmp_path / "prod.env"
    other.write_text("TAG=3.0\n")
    assert main(["import-compose", str(path), "--env-file", str(other)]) == 0
    assert "image: shop/app:3.0" in capsys.readouterr().out
    assert main(["import-compose", str(path), "--env-file", str(tmp_path / "nope.env")]) == 2


def test_a_build_entry_names_the_variable_it_misses(tmp_path: Path):
    text = "services:\n  app:\n    build: {context: ., dockerfile: '${DOCKERFILE}'}\n"
    stack = import_compose(_compose(tmp_path, text)).stacks["compose"]
    (finding,) = [f for f in stack.findings if f.where == "services.app.build"]
    assert "${DOCKERFILE}" in finding.message


def test_services_that_call_each_other_by_name_meet_through_service_connect(tmp_path: Path):
    text = (
        "services:\n"
        "  web: {image: web:1, ports: ['80:8080'], environment: {API: 'http://api:9000/v1'}}\n"
        "  api: {image: api:1, expose: ['9000'], depends_on: [cache]}\n"
        "  cache: {image: redis:7}\n"
    )
    services = (
        import_compose(_compose(tmp_path, text)).stacks["compose"].config["ecs-platform:services"]
    )
    assert services["web"]["serviceConnect"] == {"expose": False, "calls": ["api"]}
    assert services["api"]["serviceConnect"] == {"calls": ["cache"]}
    assert services["cache"]["containerPort"] == 6379
    assert services["cache"]["serviceConnect"] == {"appProtocol": None}


def test_a_run_once_container_becomes_a_task_to_start_by_hand(tmp_path: Path):
    text = (
        "services:\n"
        "  app: {image: app:1, ports: ['80:80']}\n"
        "  migrate: {image: app:1, command: [manage, migrate], restart: 'no'}\n"
    )
    stack = import_compose(_compose(tmp_path, text)).stacks["compose"]
    assert set(stack.config["ecs-platform:services"]) == {"app"}
    task = stack.config["ecs-platform:scheduledTasks"]["migrate"]
    assert task["enabled"] is False and task["command"] == ["manage", "migrate"]
    validate(stack, "dev")


def test_a_healthcheck_script_on_a_volume_is_flagged(tmp_path: Path):
    text = (
        "services:\n  db:\n    image: postgres:16\n    volumes: ['./checks:/checks']\n"
        "    healthcheck: {test: /checks/pg.sh}\n"
    )
    stack = import_compose(_compose(tmp_path, text)).stacks["compose"]
    (finding,) = [f for f in stack.findings if f.where == "services.db.healthcheck"]
    assert finding.kind == "input" and "/checks/pg.sh" in finding.message


@pytest.mark.parametrize("name", ["awesome-compose__flask-redis", "awesome-compose__minecraft"])
def test_import_with_plan_runs_the_plans_cost_and_policy_and_lists_what_to_supply(name, capsys):
    from offline.importers.check import plan_stack
    from offline.policy import check

    path = next(p for p in CORPUS if p.stem == name)
    code = main(["import-compose", str(path), "--plan"])
    out = capsys.readouterr().out
    refused = check(plan_stack(import_compose(path).stacks["compose"], "dev")).mandatory
    assert code == (3 if refused else 0)
    assert "a month" in out and "policy (dev rules)" in out
    for violation in refused:
        assert f"#   - policy {violation.policy}: " in out.split("# Mapped with a change")[0]


def test_a_web_service_asks_for_the_certificate_https_needs(tmp_path: Path):
    stack = import_compose(_compose(tmp_path, "services:\n  app: {image: a, ports: ['80:80']}\n"))
    findings = stack.stacks["compose"].findings
    assert any(f.kind == "input" and f.where == "loadBalancers.public.certificateArn"
               for f in findings)  # fmt: skip
