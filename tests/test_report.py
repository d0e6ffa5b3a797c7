"""The human plan report: outputs as readable YAML, resources named unambiguously."""

from __future__ import annotations

from offline.engine import Captured, Plan
from offline.report import SECRET, labeller, outputs_text
from tests.support import config, plan_config

WEB = {"image": "public.ecr.aws/nginx/nginx:1.27.3", "containerPort": 80,
       "loadBalancer": {"name": "public"}}  # fmt: skip


def resource(name: str, type_: str, parent: str = "ecs-platform:cluster:Cluster") -> Captured:
    urn = f"urn:pulumi:test::ecs-platform::{parent}${type_}::{name}"
    return Captured(urn, type_, name, None, {}, True, [], {})


def test_outputs_print_as_block_yaml_not_python_reprs():
    text = outputs_text({
        "services": {"web": {"url": "https://x.example/", "logGroup": "/ecs/p-s/web"}},
        "anywhere": SECRET,
        "edge": {"url": None},
    })  # fmt: skip
    assert text == [
        "  anywhere: [secret]",
        "  edge:",
        "    url: null",
        "  services:",
        "    web:",
        "      url: https://x.example/",
        "      logGroup: /ecs/p-s/web",
    ]


def test_long_output_values_wrap_at_word_breaks_within_100_columns():
    text = outputs_text({"note": " ".join(["word"] * 60)})
    assert len(text) > 1 and all(len(line) <= 100 for line in text)


def test_the_plan_report_prints_outputs_without_dict_reprs():
    from offline.report import render

    lbs = {"public": {"type": "application"}}
    report = render(plan_config(config(services={"web": WEB}, loadBalancers=lbs)))
    outputs = report.split("\nOutputs:\n", 1)[1].split("\n\n", 1)[0]
    assert "{'" not in outputs and "      url: " in outputs


def test_a_name_shared_by_two_types_is_labelled_with_its_type_and_a_unique_one_is_not():
    key = resource("cluster-exec", "aws:kms/key:Key")
    logs = resource("cluster-exec", "aws:cloudwatch/logGroup:LogGroup")
    alone = resource("cluster-ecs", "aws:ecs/cluster:Cluster")
    plan = Plan("test", "ecs-platform", "ap-northeast-2", "123456789012", "f", None,  # type: ignore[arg-type]
                [key, logs, alone], {})  # fmt: skip
    label = labeller(plan)
    assert label(key.urn) == "cluster-exec [kms/key]"
    assert label(logs.urn) == "cluster-exec [cloudwatch/logGroup]"
    assert label(alone.urn) == "cluster-ecs"
    assert label(None) == "(stack)"
