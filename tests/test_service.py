"""Service component: what each AWS resource receives for every default and option."""

from __future__ import annotations

import json

import pytest

from tests.support import config, mutate, plan_config
from tests.test_stacks import STACKS, stack_plan

SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/db-Ab12Cd"
PARAM = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/api-key"
ECR = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/api:2.14.0"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
TG = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
WEB = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 256,
    "memory": 512,
    "containerPort": 80,
    "loadBalancer": {"name": "public"},
}


def stack(web: dict | None = None, **services):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
        loadBalancers={"public": {}},
        services={"web": web if web is not None else WEB, **services},
    )


def containers(plan, name="web"):
    return json.loads(plan.named(f"{name}-taskdef", TASKDEF).inputs["containerDefinitions"])


def app(plan, name="web"):
    return containers(plan, name)[0]


def policy_doc(plan, name):
    return json.loads(plan.named(name, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])


# -- task definition -------------------------------------------------------------------------


def test_task_definition_is_awsvpc_fargate_with_string_sizes_and_a_readable_family():
    td = plan_config(stack()).named("web-taskdef", TASKDEF)
    assert td.inputs["family"] == "ecs-platform-test-web"
    assert (td.inputs["cpu"], td.inputs["memory"]) == ("256", "512")
    assert td.inputs["networkMode"] == "awsvpc"
    assert td.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert td.inputs["runtimePlatform"] == {
        "cpuArchitecture": "X86_64",
        "operatingSystemFamily": "LINUX",
    }
    assert "ephemeralStorage" not in td.inputs
    assert td.inputs["skipDestroy"] is True


def test_execution_and_task_roles_are_separate():
    td = plan_config(stack()).named("web-taskdef", TASKDEF)
    assert td.inputs["executionRoleArn"] != td.inputs["taskRoleArn"]
    assert td.inputs["executionRoleArn"].endswith(
        ":role/" + td.inputs["executionRoleArn"].split("/")[-1]
    )


def test_arm64_and_ephemeral_storage_come_from_config():
    td = plan_config(stack({**WEB, "cpuArchitecture": "ARM64", "ephemeralStorageGib": 50})).named(
        "web-taskdef", TASKDEF
    )
    assert td.inputs["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    assert td.inputs["ephemeralStorage"] == {"sizeInGib": 50}


def test_omitted_task_size_is_the_cheapest_fargate_size_that_fits_the_containers():
    web = {k: v for k, v in WEB.items() if k not in ("cpu", "memory")}
    assert plan_config(stack(web)).named("web-taskdef", TASKDEF).inputs["cpu"] == "256"
    web = {
        **web,
        "containerCpu": 300,
        "containerMemory": 900,
        "sidecars": {"agent": {"image": "x/agent:1", "cpu": 100, "memory": 700}},
    }
    td = plan_config(stack(web)).named("web-taskdef", TASKDEF)
    assert (td.inputs["cpu"], td.inputs["memory"]) == ("512", "2048")


def test_app_container_defaults():
    c = app(plan_config(stack()))
    assert c["name"] == "app" and c["image"] == WEB["image"] and c["essential"] is True
    assert c["portMappings"] == [{"name": "http", "containerPort": 80, "protocol": "tcp"}]
    assert c["readonlyRootFilesystem"] is False and "user" not in c
    assert c["stopTimeout"] == 30
    assert c["linuxParameters"] == {"initProcessEnabled": True}
    assert c["environment"] == [] and c["secrets"] == []
    assert "healthCheck" not in c and "mountPoints" not in c and "privileged" not in c


def test_logs_go_to_the_services_own_log_group_in_non_blocking_mode():
    plan = plan_config(stack())
    options = app(plan)["logConfiguration"]["options"]
    assert app(plan)["logConfiguration"]["logDriver"] == "awslogs"
    assert options == {
        "awslogs-group": "/ecs/ecs-platform-test/web",
        "awslogs-region": "ap-northeast-2",
        "awslogs-stream-prefix": "app",
        "mode": "non-blocking",
        "max-buffer-size": "25m",
    }
    logs = plan.named("web-logs", "aws:cloudwatch/logGroup:LogGroup")
    assert logs.inputs == {"name": "/ecs/ecs-platform-test/web", "retentionInDays": 30}


def test_environment_and_secrets_are_sorted_and_secrets_reference_arns():
    web = {
        **WEB,
        "environment": {"B": "2", "A": "1"},
        "secrets": {"DB": f"{SECRET}:password::", "KEY": PARAM},
    }
    c = app(plan_config(stack(web)))
    assert c["environment"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert c["secrets"] == [
        {"name": "DB", "valueFrom": f"{SECRET}:password::"},
        {"name": "KEY", "valueFrom": PARAM},
    ]


def test_hardening_options_reach_the_container():
    web = {
        **WEB,
        "readonlyRootFilesystem": True,
        "user": "10001",
        "stopTimeoutSeconds": 10,
        "writablePaths": ["/tmp", "/var/cache/nginx"],
        "command": ["serve"],
        "healthCheck": {
            "command": ["CMD-SHELL", "wget -qO- localhost/ || exit 1"],
            "startPeriodSeconds": 20,
        },
    }
    plan = plan_config(stack(web))
    c = app(plan)
    assert c["readonlyRootFilesystem"] is True and c["user"] == "10001"
    assert c["stopTimeout"] == 10 and c["command"] == ["serve"]
    assert c["healthCheck"] == {
        "command": ["CMD-SHELL", "wget -qO- localhost/ || exit 1"],
        "interval": 10,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 20,
    }
    assert c["mountPoints"] == [
        {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False},
        {
            "sourceVolume": "scratch-var-cache-nginx",
            "containerPath": "/var/cache/nginx",
            "readOnly": False,
        },
    ]
    volumes = plan.named("web-taskdef", TASKDEF).inputs["volumes"]
    assert volumes == [{"name": "scratch-tmp"}, {"name": "scratch-var-cache-nginx"}]


def test_efs_volumes_use_transit_encryption_and_iam_authorization():
    web = {
        **WEB,
        "efsVolumes": [
            {
                "name": "media",
                "fileSystemId": "fs-0123456789abcdef0",
                "accessPointId": "fsap-0123456789abcdef0",
                "containerPath": "/media",
            }
        ],
    }
    plan = plan_config(stack(web))
    (volume,) = plan.named("web-taskdef", TASKDEF).inputs["volumes"]
    efs = volume["efsVolumeConfiguration"]
    assert efs["transitEncryption"] == "ENABLED"
    assert efs["authorizationConfig"] == {
        "accessPointId": "fsap-0123456789abcdef0",
        "iam": "ENABLED",
    }
    assert app(plan)["mountPoints"] == [
        {"sourceVolume": "media", "containerPath": "/media", "readOnly": False}
    ]


def test_sidecars_get_their_sizes_ports_logs_and_start_order():
    web = {
        **WEB,
        "dependsOn": [{"container": "proxy", "condition": "HEALTHY"}],
        "sidecars": {
            "proxy": {
                "image": "envoyproxy/envoy:v1.31",
                "cpu": 64,
                "memory": 128,
                "ports": [9901],
                "essential": False,
            }
        },
    }
    plan = plan_config(stack(web))
    first, proxy = containers(plan)
    assert first["dependsOn"] == [{"containerName": "proxy", "condition": "HEALTHY"}]
    assert proxy["name"] == "proxy" and proxy["essential"] is False
    assert (proxy["cpu"], proxy["memory"]) == (64, 128)
    assert proxy["portMappings"] == [
        {"name": "proxy-9901", "containerPort": 9901, "protocol": "tcp"}
    ]
    assert proxy["logConfiguration"]["options"]["awslogs-stream-prefix"] == "proxy"


# -- IAM -------------------------------------------------------------------------------------


def test_roles_trust_only_ecs_tasks_of_this_account():
    plan = plan_config(stack())
    for name in ("web-execution", "web-task"):
        trust = json.loads(plan.named(name, "aws:iam/role:Role").inputs["assumeRolePolicy"])
        (statement,) = trust["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
        assert statement["Condition"]["ArnLike"] == {
            "aws:SourceArn": "arn:aws:ecs:ap-northeast-2:123456789012:*"
        }


def test_execution_role_may_write_only_its_log_group_and_pull_no_private_image_by_default():
    doc = policy_doc(plan_config(stack()), "web-execution")
    (statement,) = doc["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == (
        "arn:aws:logs:ap-northeast-2:123456789012:log-group:/ecs/ecs-platform-test/web:log-stream:*"
    )


def test_execution_role_pulls_exactly_the_services_ecr_repositories():
    plan = plan_config(stack({**WEB, "image": ECR}))
    statements = {s["Sid"]: s for s in policy_doc(plan, "web-execution")["Statement"]}
    assert statements["EcrLogin"]["Resource"] == "*"
    assert statements["EcrLogin"]["Action"] == "ecr:GetAuthorizationToken"
    assert statements["PullOwnImages"]["Resource"] == [
        "arn:aws:ecr:ap-northeast-2:123456789012:repository/shop/api"
    ]


def test_execution_role_reads_exactly_the_referenced_secrets_and_parameters():
    partial = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:shared/token"
    web = {**WEB, "secrets": {"DB": f"{SECRET}:password::", "KEY": PARAM, "TOKEN": partial}}
    statements = {
        s["Sid"]: s for s in policy_doc(plan_config(stack(web)), "web-execution")["Statement"]
    }
    assert statements["ReadReferencedSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert statements["ReadReferencedSecrets"]["Resource"] == [SECRET, f"{partial}-??????"]
    assert statements["ReadReferencedParameters"]["Action"] == "ssm:GetParameters"
    assert statements["ReadReferencedParameters"]["Resource"] == [PARAM]


def test_task_role_has_no_permissions_unless_granted():
    plan = plan_config(stack())
    names = {r.name for r in plan.of_type("aws:iam/rolePolicy:RolePolicy")}
    assert names == {"web-execution"}
    assert plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []


def test_task_role_gets_exactly_the_configured_grants():
    grants = {
        "managedPolicyArns": ["arn:aws:iam::123456789012:policy/shop-read"],
        "statements": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}],
    }
    plan = plan_config(stack({**WEB, "taskRole": grants}))
    assert policy_doc(plan, "web-task")["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    ]
    (attachment,) = plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.name == "web-task-shop-read"
    assert attachment.inputs["policyArn"] == "arn:aws:iam::123456789012:policy/shop-read"


@pytest.mark.parametrize("stack_name", STACKS)
def test_no_role_policy_in_any_stack_file_grants_wildcard_actions(stack_name):
    for r in stack_plan(stack_name).of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(r.inputs["policy"])["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert not any(a == "*" or a.endswith(":*") for a in actions), (r.name, actions)
            if statement["Resource"] == "*":
                assert actions == ["ecr:GetAuthorizationToken"], (r.name, statement)


# -- network and routing ---------------------------------------------------------------------


def test_tasks_accept_traffic_only_from_the_load_balancer_on_the_container_port():
    plan = plan_config(stack())
    rules = [r for r in plan.of_type(INGRESS) if r.parent and r.parent.endswith("::web")]
    (rule,) = [r for r in rules if r.name == "web-from-lb"]
    assert (
        rule.inputs["referencedSecurityGroupId"]
        == plan.outputs["loadBalancers"]["public"]["securityGroupId"]
    )
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (
        80,
        80,
        "tcp",
    )
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
    assert rules == [rule]


def test_a_service_without_a_load_balancer_accepts_no_inbound_traffic():
    worker = {"image": "public.ecr.aws/docker/library/busybox:1.37", "command": ["sleep", "1d"]}
    plan = plan_config(stack(WEB, worker=worker))
    assert [r for r in plan.of_type(INGRESS) if r.name.startswith("worker-")] == []
    assert [r for r in plan.of_type(TG) if r.name.startswith("worker-")] == []
    service = plan.named("worker-service", SERVICE)
    assert "loadBalancers" not in service.inputs or service.inputs["loadBalancers"] == []
    assert "healthCheckGracePeriodSeconds" not in service.inputs


def test_target_group_defaults_make_deployments_fast():
    tg = plan_config(stack()).named("web-tg", TG)
    assert "name" not in tg.inputs and tg.inputs["namePrefix"] == "web-"
    assert (tg.inputs["port"], tg.inputs["protocol"], tg.inputs["targetType"]) == (80, "HTTP", "ip")
    assert tg.inputs["vpcId"].startswith("vpc-")
    assert tg.inputs["deregistrationDelay"] == 15
    assert tg.inputs["healthCheck"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/",
        "matcher": "200-399",
        "interval": 5,
        "timeout": 4,
        "healthyThreshold": 2,
        "unhealthyThreshold": 2,
    }


def test_health_check_and_drain_settings_come_from_config():
    web = mutate(
        stack(),
        "services.web.loadBalancer",
        {
            "name": "public",
            "deregistrationDelaySeconds": 120,
            "healthCheck": {
                "path": "/healthz",
                "matcher": "200",
                "intervalSeconds": 10,
                "timeoutSeconds": 6,
                "healthyThreshold": 3,
                "unhealthyThreshold": 4,
            },
        },
    )
    tg = plan_config(web).named("web-tg", TG)
    assert tg.inputs["deregistrationDelay"] == 120
    hc = tg.inputs["healthCheck"]
    assert (hc["path"], hc["matcher"], hc["interval"], hc["timeout"]) == ("/healthz", "200", 10, 6)
    assert (hc["healthyThreshold"], hc["unhealthyThreshold"]) == (3, 4)


def test_listener_rule_forwards_path_and_host_conditions_with_a_stable_priority():
    api = {
        **WEB,
        "containerPort": 8080,
        "loadBalancer": {
            "name": "public",
            "pathPatterns": ["/api/*"],
            "hostHeaders": ["shop.example.com"],
        },
    }
    plan = plan_config(stack(WEB, api=api))
    rule = plan.named("api-rule", "aws:lb/listenerRule:ListenerRule")
    assert rule.inputs["conditions"] == [
        {"pathPattern": {"values": ["/api/*"]}},
        {"hostHeader": {"values": ["shop.example.com"]}},
    ]
    assert rule.inputs["actions"][0]["type"] == "forward"
    assert plan.named("api-tg", TG).urn in rule.dependencies
    web_rule = plan.named("web-rule", "aws:lb/listenerRule:ListenerRule")
    assert web_rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert rule.inputs["priority"] < web_rule.inputs["priority"]
    # The host is the rule's Host header, not a DNS record anyone created: the URL is the
    # load balancer's own DNS name, and the header is exported beside it.
    out = plan.outputs["services"]["api"]
    assert out["url"] == f"http://{plan.outputs['loadBalancers']['public']['dnsName']}/api/"
    assert out["hostHeader"] == "shop.example.com"
    assert "hostHeader" not in plan.outputs["services"]["web"]


def test_declared_priority_is_sent_as_is():
    plan = plan_config(mutate(stack(), "services.web.loadBalancer.priority", 7))
    assert plan.named("web-rule", "aws:lb/listenerRule:ListenerRule").inputs["priority"] == 7


# -- ECS service -----------------------------------------------------------------------------


def test_service_defaults_are_safe_and_on_the_cluster_strategy():
    plan = plan_config(stack())
    svc = plan.named("web-service", SERVICE)
    assert "name" not in svc.inputs and "launchType" not in svc.inputs
    assert svc.inputs["desiredCount"] == 1
    assert svc.inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1}
    ]
    assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert svc.inputs["deploymentMinimumHealthyPercent"] == 100
    assert svc.inputs["deploymentMaximumPercent"] == 200
    assert svc.inputs["healthCheckGracePeriodSeconds"] == 60
    assert svc.inputs["availabilityZoneRebalancing"] == "ENABLED"
    assert svc.inputs["propagateTags"] == "SERVICE"
    # Not forced: with it every update of the service restarts every task.
    assert "forceNewDeployment" not in svc.inputs
    assert svc.inputs["cluster"] == "ecs-platform-test"


def test_tasks_run_in_private_subnets_without_public_ips():
    plan = plan_config(stack())
    net = plan.named("web-service", SERVICE).inputs["networkConfiguration"]
    assert net["assignPublicIp"] is False
    private = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert private <= set(plan.named("web-service", SERVICE).dependencies)
    assert len(net["subnets"]) == 2 and len(net["securityGroups"]) == 1


def test_assign_public_ip_moves_tasks_to_public_subnets():
    plan = plan_config(stack({**WEB, "assignPublicIp": True}))
    svc = plan.named("web-service", SERVICE)
    assert svc.inputs["networkConfiguration"]["assignPublicIp"] is True
    public = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "public" in r.name}
    assert public <= set(svc.dependencies)


def test_service_waits_for_its_listener_rule_and_routes_to_the_app_container():
    plan = plan_config(stack())
    svc = plan.named("web-service", SERVICE)
    assert plan.named("web-rule", "aws:lb/listenerRule:ListenerRule").urn in svc.dependencies
    (lb,) = svc.inputs["loadBalancers"]
    assert (lb["containerName"], lb["containerPort"]) == ("app", 80)


def test_rolling_and_capacity_settings_come_from_config():
    web = {
        **WEB,
        "desiredCount": 4,
        "minHealthyPercent": 50,
        "maxPercent": 150,
        "healthCheckGracePeriodSeconds": 120,
        "capacityProviders": [
            {"provider": "FARGATE", "base": 2, "weight": 1},
            {"provider": "FARGATE_SPOT", "weight": 3},
        ],
    }
    svc = plan_config(stack(web)).named("web-service", SERVICE)
    assert svc.inputs["desiredCount"] == 4
    assert (
        svc.inputs["deploymentMinimumHealthyPercent"],
        svc.inputs["deploymentMaximumPercent"],
    ) == (50, 150)
    assert svc.inputs["healthCheckGracePeriodSeconds"] == 120
    assert svc.inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 3},
    ]


def test_ec2_service_uses_the_clusters_asg_provider_and_spreads_across_azs():
    cfg = mutate(stack(), "cluster", {"ec2Capacity": {"instanceType": "m7g.large"}})
    cfg = mutate(
        cfg,
        "services.web",
        {
            **WEB,
            "cpuArchitecture": "ARM64",
            "memory": 1024,
            "cpu": 512,
            "capacityProviders": [{"provider": "EC2", "weight": 1}],
        },
    )
    plan = plan_config(cfg)
    svc = plan.named("web-service", SERVICE)
    (strategy,) = svc.inputs["capacityProviderStrategies"]
    assert strategy["capacityProvider"].startswith("cluster-ec2-")
    assert (
        plan.named("cluster-ec2", "aws:ecs/capacityProvider:CapacityProvider").urn
        in svc.dependencies
    )
    assert svc.inputs["orderedPlacementStrategies"] == [
        {"type": "spread", "field": "attribute:ecs.availability-zone"},
        {"type": "binpack", "field": "memory"},
    ]
    assert plan.named("web-taskdef", TASKDEF).inputs["requiresCompatibilities"] == ["EC2"]


def test_fargate_services_get_no_placement_strategies():
    assert (
        "orderedPlacementStrategies"
        not in plan_config(stack()).named("web-service", SERVICE).inputs
    )


def test_outputs_per_service_name_url_log_group_and_task_role():
    out = plan_config(stack()).outputs["services"]["web"]
    assert out["logGroup"] == "/ecs/ecs-platform-test/web"
    assert out["url"].startswith("http://test-public-") and out["url"].endswith("/")
    assert out["serviceName"] and out["taskRoleArn"].startswith("arn:aws:iam::123456789012:role/")
