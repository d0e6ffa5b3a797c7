"""Apply-time AWS rules: each rule fails on its bad shape (a small graph of the test's own
resources) and passes on the good one; the plan refuses a violation with exit 3."""

from __future__ import annotations

import json

import pytest
import yaml

from offline import awsrules
from offline.__main__ import main
from offline.awsrules.graph import Graph, Node
from offline.awsrules.trust import arn_matches
from policy.rules.base import Resource
from tests.support import config, plan_config

ACCOUNT, REGION = "123456789012", "ap-northeast-2"
CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def node(name: str, type_: str, inputs: dict, *ids: str, deps=(), **options) -> Node:
    return Node(
        urn=f"urn:{name}",
        type=type_,
        name=name,
        inputs=inputs,
        dependencies=tuple(f"urn:{d}" for d in deps),
        options=options,
        ids=frozenset(ids or (name,)),
    )


def found(rule: str, *nodes: Node, external=()) -> list[str]:
    return [v.message for v in awsrules.BY_ID[rule].run(Graph(nodes, external))]


def cluster_nodes(providers: list[str], managed: bool = True) -> list[Node]:
    out = [
        node("cluster", CLUSTER, {"name": "c"}, "c", f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c"),
        node("assoc", CAPACITY, {"clusterName": "c", "capacityProviders": providers}, "assoc"),
    ]
    if managed:
        out.append(node("mi", PROVIDER, {"cluster": "c", "managedInstancesProvider": {}}, "mi"))
    return out


def test_the_graph_answers_the_policy_packs_lookups_and_resolves_identities():
    role = node("exec", ROLE, {}, "arn:aws:iam::123456789012:role/exec-1234567")
    grant = node("exec-pull", ROLE_POLICY, {"role": "exec-1234567"}, deps=("exec",))
    taskdef = node("web", TASKDEF, {"executionRoleArn": role.ids}, deps=("exec",))
    graph = Graph([role, grant, taskdef])
    assert isinstance(role, Resource) and role.props is role.inputs
    assert graph.get("urn:exec") is role
    assert graph.dependents(role, ROLE_POLICY) == [grant]
    assert graph.deps(taskdef) == [role]
    assert graph.resolve("arn:aws:iam::123456789012:role/exec-1234567", ROLE) is role
    assert graph.attached_to(role, ROLE_POLICY) == [grant]
    assert graph.waits_for(taskdef, role) and not graph.waits_for(role, taskdef)


def test_a_managed_instances_provider_put_on_the_cluster_is_refused():
    assert found("ecs-managed-instances-not-put-on-cluster", *cluster_nodes(["FARGATE", "mi"]))
    assert not found("ecs-managed-instances-not-put-on-cluster", *cluster_nodes(["FARGATE"]))


def test_a_strategy_may_name_only_providers_available_in_its_cluster():
    def service(provider: str) -> Node:
        strategy = [{"capacityProvider": provider, "weight": 1}]
        return node("svc", SERVICE, {"cluster": "c", "capacityProviderStrategies": strategy})

    rule = "ecs-strategy-provider-on-cluster"
    assert found(rule, *cluster_nodes(["FARGATE"]), service("FARGATE_SPOT"))
    assert not found(rule, *cluster_nodes(["FARGATE", "FARGATE_SPOT"]), service("FARGATE_SPOT"))
    assert not found(rule, *cluster_nodes(["FARGATE"]), service("mi"))  # bound to cluster c
    other = node("mi2", PROVIDER, {"cluster": "other", "managedInstancesProvider": {}}, "mi2")
    assert found(rule, *cluster_nodes(["FARGATE"]), other, service("mi2"))


def taskdef(ports: list[dict]) -> Node:
    containers = [{"name": "app", "portMappings": ports}]
    return node("td", TASKDEF, {"containerDefinitions": json.dumps(containers)}, "td-arn")


def connect_service(port: str = "http", tg: str | None = None) -> Node:
    inputs: dict = {
        "taskDefinition": "td-arn",
        "serviceConnectConfiguration": {"services": [{"portName": port}]},
    }
    if tg:
        inputs["loadBalancers"] = [{"targetGroupArn": tg, "containerPort": 8080}]
    return node("svc", SERVICE, inputs)


def test_a_service_connect_port_name_must_be_a_named_port_mapping():
    td = taskdef([{"name": "http", "containerPort": 8080}])
    assert found("ecs-service-connect-port-named", td, connect_service("grpc"))
    assert not found("ecs-service-connect-port-named", td, connect_service("http"))


def test_an_http_service_connect_port_must_name_its_app_protocol():
    tg = node("tg", "aws:lb/targetGroup:TargetGroup", {"protocol": "HTTP"}, "tg-arn")
    rule = "ecs-service-connect-app-protocol"
    plain = taskdef([{"name": "http", "containerPort": 8080}])
    assert found(rule, tg, plain, connect_service(tg="tg-arn"))
    named = taskdef([{"name": "http", "containerPort": 8080, "appProtocol": "http"}])
    assert not found(rule, tg, named, connect_service(tg="tg-arn"))
    assert not found(rule, plain, connect_service())  # no HTTP target group: TCP may be right


def scheduler_nodes(source_arn: str, group: str = "g") -> list[Node]:
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            }
        ]
    }
    role = node("role", ROLE, {"assumeRolePolicy": json.dumps(trust)}, "role-arn")
    target = {"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c", "roleArn": "role-arn"}
    schedule = node(
        "schedule", "aws:scheduler/schedule:Schedule", {"groupName": group, "target": target}
    )
    return [role, schedule]


def test_a_scheduler_trust_scoped_to_schedules_never_matches_the_group_arn_sent():
    rule = "trust-source-arn-matches-sender"
    prefix = f"arn:aws:scheduler:{REGION}:{ACCOUNT}"
    assert found(rule, *scheduler_nodes(f"{prefix}:schedule/g/*"))
    assert not found(rule, *scheduler_nodes(f"{prefix}:schedule-group/g"))
    assert not found(rule, *scheduler_nodes("arn:aws:scheduler:*:123456789012:schedule-group/*"))
    assert found(rule, *scheduler_nodes(f"{prefix}:schedule-group/other"))


def test_source_account_and_the_account_in_source_arn_must_agree():
    rule = "trust-source-account-agrees"
    assert found(rule, *scheduler_nodes("arn:aws:scheduler:*:999999999999:schedule-group/g"))
    assert not found(rule, *scheduler_nodes("arn:aws:scheduler:*:*:schedule-group/g"))


@pytest.mark.parametrize(
    ("pattern", "arn", "matches"),
    [
        ("arn:aws:ecs:*:1:*", "arn:aws:ecs:eu-west-1:1:cluster/x", True),
        ("arn:aws:ecs:*:1:cluster/?", "arn:aws:ecs:eu-west-1:1:cluster/xy", False),
        ("arn:aws:ecs:eu-west-1:1:*", "arn:aws:ecs:eu-west-2:1:task/x", False),
    ],
)
def test_arn_conditions_match_part_by_part_with_wildcards(pattern, arn, matches):
    assert arn_matches(pattern, arn) is matches


def test_a_retained_resource_keeps_its_key():
    key = node("key", "aws:kms/key:Key", {}, "key-arn")
    logs = node("logs", "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": "key-arn"},
                retainOnDelete=True)  # fmt: skip
    assert found("retain-key-with-data", key, logs)
    kept = node("key", "aws:kms/key:Key", {}, "key-arn", retainOnDelete=True)
    assert not found("retain-key-with-data", kept, logs)


def test_a_retained_fixed_name_needs_a_documented_re_create_path():
    queue = node("q", "aws:sqs/queue:Queue", {"name": "jobs"}, retainOnDelete=True)
    assert found("retained-fixed-name", queue)
    logs = node("l", "aws:cloudwatch/logGroup:LogGroup", {"name": "/x"}, retainOnDelete=True)
    assert not found("retained-fixed-name", logs)  # log groups: docs/aws-rules.md
    assert not found("retained-fixed-name", node("q", "aws:sqs/queue:Queue", {"name": "jobs"}))


def test_two_alarms_with_one_name_overwrite_each_other():
    a = node("a", ALARM, {"name": "x-5xx"})
    b = node("b", ALARM, {"name": "x-5xx"})
    assert found("fixed-name-unique", a, b)
    assert not found("fixed-name-unique", a, node("b", ALARM, {"name": "x-p99"}))


def test_what_a_teardown_deletes_must_be_deletable():
    rule = "deletable-when-unprotected"
    repo = "aws:ecr/repository:Repository"
    assert found(rule, node("r", repo, {}))
    assert not found(rule, node("r", repo, {"forceDelete": True}))
    assert not found(rule, node("r", repo, {}, protect=True))
    group = "aws:autoscaling/group:Group"
    assert found(rule, node("g", group, {"protectFromScaleIn": True}))
    assert not found(rule, node("g", group, {"protectFromScaleIn": True, "forceDelete": True}))
    assert not found(rule, node("g", group, {}))


def execution_nodes(deps: tuple[str, ...]) -> list[Node]:
    role = node("exec", ROLE, {}, "exec-arn", "exec-name")
    grant = node("grant", ROLE_POLICY, {"role": "exec-name"})
    td = node("td", TASKDEF, {"executionRoleArn": "exec-arn"}, deps=deps)
    return [role, grant, td]


def test_a_task_definition_waits_for_its_execution_roles_grants():
    assert found("role-grants-before-use", *execution_nodes(("exec",)))
    assert not found("role-grants-before-use", *execution_nodes(("exec", "grant")))


def test_deployment_alarms_exist_before_the_service():
    alarm = node("a", ALARM, {"name": "x-5xx"}, "x-5xx")
    early = node("svc", SERVICE, {"alarms": {"alarmNames": ["x-5xx"]}})
    assert found("deployment-alarms-before-service", alarm, early)
    late = node("svc", SERVICE, {"alarms": {"alarmNames": ["x-5xx"]}}, deps=("a",))
    assert not found("deployment-alarms-before-service", alarm, late)


def test_every_reference_resolves_to_the_plan_or_the_stack_file():
    rule = "reference-resolves"
    svc = node("svc", SERVICE, {"alarms": {"alarmNames": ["x-5xx", "x-p99"]}})
    alarm = node("a", ALARM, {"name": "x-5xx"}, "x-5xx")
    (message,) = found(rule, alarm, svc)
    assert "alarms.alarmNames[1] = 'x-p99'" in message
    assert not found(rule, alarm, svc, external={"x-p99"})  # declared in the stack file
    strategy = node(
        "s2", SERVICE, {"capacityProviderStrategies": [{"capacityProvider": "FARGATE"}]}
    )
    assert not found(rule, strategy)


def test_an_exported_url_must_resolve():
    rule = "exported-url-resolves"
    lb = node("lb", "aws:lb/loadBalancer:LoadBalancer", {}, "lb-1.elb.amazonaws.com")
    good = Graph([lb], outputs={"services": {"api": {"url": "https://lb-1.elb.amazonaws.com/"}}})
    bad = Graph([lb], outputs={"services": {"api": {"url": "https://api.shop.internal/"}}})
    assert awsrules.BY_ID[rule].run(bad) and not awsrules.BY_ID[rule].run(good)


def test_every_rule_cites_an_aws_or_pulumi_page_and_gives_a_reason():
    for rule in awsrules.RULES:
        assert rule.url.startswith(("https://docs.aws.amazon.com/", "https://www.pulumi.com/"))
        assert rule.reason and rule.title


# -- the layer in the plan --------------------------------------------------------------------


def test_a_plan_of_a_good_stack_reports_its_checks_in_the_json(capsys, tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": config()}))
    assert main(["plan", "--stack", "dev", "--config-file", str(path), "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks == {"rules": len(awsrules.RULES), "violations": []}


def test_a_violation_exits_3_with_the_rule_resource_and_reason(capsys, monkeypatch, tmp_path):
    # A stand-in component bug: the cluster association names a Managed Instances provider.
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": config(cluster={"managedInstances": {}})}))
    real = awsrules.from_plan

    def broken(plan):
        graph = real(plan)
        nodes = []
        for n in graph.nodes:
            if n.type == CAPACITY:
                provider = next(p for p in graph.of_type(PROVIDER))
                name = sorted(provider.ids)[0]
                inputs = {**n.inputs, "capacityProviders": [*n.inputs["capacityProviders"], name]}
                n = Node(n.urn, n.type, n.name, inputs, n.parent, n.dependencies, n.options, n.ids)
            nodes.append(n)
        return Graph(nodes, graph.external, graph.outputs, graph.config)

    monkeypatch.setattr(awsrules, "from_plan", broken)
    assert main(["plan", "--stack", "dev", "--config-file", str(path)]) == 3
    out, err = capsys.readouterr()
    assert "[apply-time] ecs-managed-instances-not-put-on-cluster: cluster-capacity:" in out
    assert err.startswith("refused: 1 apply-time AWS rule violation(s)")
    assert "API_PutClusterCapacityProviders" in err


def test_component_plans_of_managed_instances_and_blue_green_pass_every_rule():
    managed = plan_config(
        config(
            cluster={"managedInstances": {}},
            services={"api": {"image": "x/api:1", "cpu": 512, "memory": 1024,
                              "capacityProviders": [{"provider": "MANAGED_INSTANCES",
                                                     "weight": 1}]}},
        )
    )  # fmt: skip
    assert awsrules.check(managed).violations == []


def test_the_policy_pack_registers_the_rules_a_preview_can_see_and_reports_them():
    from pulumi_policy import (
        PolicyCustomTimeouts,
        PolicyResource,
        PolicyResourceOptions,
        StackValidationArgs,
    )

    from policy.pack import all_policies, policies

    built = {p.name: p for p in all_policies()}
    assert {p.name for p in policies()} < set(built)
    assert {r.id for r in awsrules.RULES if r.pack} <= set(built)
    assert "reference-resolves" not in built  # needs the stack file: offline only
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])

    def resource(n: Node) -> PolicyResource:
        props = {**n.inputs, "arn": sorted(n.ids)[0]}
        return PolicyResource(n.type, props, n.urn, n.name, opts, None, None, [], {})

    bad = [resource(n) for n in cluster_nodes(["FARGATE", "mi"])]
    seen: list[tuple[str, str | None]] = []
    policy = built["ecs-managed-instances-not-put-on-cluster"]
    validate = policy.validate  # type: ignore[attr-defined]
    validate(StackValidationArgs(bad), lambda m, u=None: seen.append((m, u)))
    assert seen and seen[0][1] == "urn:assoc" and "PutClusterCapacityProviders" in seen[0][0]


def test_diff_refuses_what_plan_refuses_on_the_after_side(capsys, monkeypatch, tmp_path):
    before = tmp_path / "before.yaml"
    after = tmp_path / "after.yaml"
    before.write_text(yaml.safe_dump({"config": config()}))
    after.write_text(yaml.safe_dump({"config": config(cluster={"managedInstances": {}})}))
    assert main(["diff", str(before), str(after), "--stack", "dev"]) == 0
    capsys.readouterr()
    real = awsrules.from_plan

    def broken(plan):  # the same stand-in component bug as above, on the after side only
        graph = real(plan)
        providers = graph.of_type(PROVIDER)
        if not providers:
            return graph
        name = sorted(providers[0].ids)[0]
        nodes = [
            Node(n.urn, n.type, n.name,
                 {**n.inputs, "capacityProviders": [*n.inputs["capacityProviders"], name]},
                 n.parent, n.dependencies, n.options, n.ids)
            if n.type == CAPACITY else n
            for n in graph.nodes
        ]  # fmt: skip
        return Graph(nodes, graph.external, graph.outputs, graph.config)

    monkeypatch.setattr(awsrules, "from_plan", broken)
    assert main(["diff", str(before), str(after), "--stack", "dev"]) == 3
    out, err = capsys.readouterr()
    assert "REFUSED** by apply-time AWS rules after the change" in out
    assert "refused by an apply-time AWS rule: ecs-managed-instances-not-put-on-cluster" in err


def test_under_preview_a_stack_references_outputs_are_declared_not_dangling():
    """A service stack's listener, cluster and subnets come from its platform's outputs (the
    StackReference's props): the policy pack's graph takes them as declared values."""
    from types import SimpleNamespace

    from offline.awsrules.sources import from_policy_stack

    listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2"

    def resource(type_: str, name: str, props: dict) -> SimpleNamespace:
        return SimpleNamespace(
            urn=f"urn:pulumi:team::p::{type_}::{name}", resource_type=type_, name=name,
            props=props, parent=None, dependencies=[], opts=SimpleNamespace(protect=False),
        )  # fmt: skip

    rule = resource("aws:lb/listenerRule:ListenerRule", "web-rule", {"listenerArn": listener})
    reference = resource(
        "pulumi:pulumi:StackReference", "platform",
        {"name": "o/p/platform", "outputs": {"platform": {"loadBalancers": {"public": {
            "listenerArn": listener}}}}},
    )  # fmt: skip
    assert from_policy_stack([rule, reference]).declared(listener)
    assert not from_policy_stack([rule]).declared(listener)
