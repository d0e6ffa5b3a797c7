"""Kubernetes manifests of `compare-eks`: a fixture service's inputs become exact manifest fields,
and every manifest is checked against the Kubernetes API schema (a broken one fails)."""

from __future__ import annotations

import copy

import pytest

from offline.eks.compare import compare
from offline.eks.cron import ScheduleError, to_cronjob
from offline.eks.manifests import ManifestError, validate
from tests.support import config, mutate, plan_config

CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b6d2e4f-8a1c-4d3e-9f5a-7c2b1e0d9a8f"
DB = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbCdEf"
API = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 512,
    "memory": 1024,
    "cpuArchitecture": "ARM64",
    "containerPort": 8080,
    "desiredCount": 2,
    "readonlyRootFilesystem": True,
    "user": "10001:10001",
    "writablePaths": ["/tmp"],
    "healthCheck": {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
        "intervalSeconds": 10,
        "timeoutSeconds": 5,
        "retries": 3,
        "startPeriodSeconds": 20,
    },
    "loadBalancer": {
        "name": "public",
        "pathPatterns": ["/api/*"],
        "hostHeaders": ["api.example.com"],
        "healthCheck": {
            "path": "/health",
            "intervalSeconds": 10,
            "timeoutSeconds": 5,
            "healthyThreshold": 3,
            "unhealthyThreshold": 2,
        },
        "deregistrationDelaySeconds": 20,
    },
    "environment": {"LOG_LEVEL": "info"},
    "secrets": {"DB_PASSWORD": DB},
    "stopTimeoutSeconds": 10,
    "minHealthyPercent": 50,
    "maxPercent": 150,
    "autoscaling": {"minCount": 2, "maxCount": 6, "cpuTarget": 60, "memoryTarget": 70},
    "sidecars": {"proxy": {"image": "public.ecr.aws/envoy/envoy:v1.31", "cpu": 128, "memory": 256}},
}
STACK = config(
    network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, "natGateways": "single"},
    loadBalancers={"public": {"type": "application", "certificateArn": CERT}},
    services={"api": API},
)


def docs(cfg: dict, variant: str = "nodes", name: str = "api") -> dict[str, dict]:
    rendered = compare(plan_config(cfg)).manifests
    return {d["kind"]: d for d in rendered.files[variant][name]}


def app(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def test_deployment_takes_the_rolling_update_bounds_from_the_ecs_percentages():
    deployment = docs(STACK)["Deployment"]
    assert deployment["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": "50%"},
    }
    assert "replicas" not in deployment["spec"]  # the HPA owns the live count


def test_without_autoscaling_the_deployment_runs_the_desired_count():
    cfg = mutate(STACK, "services.api.autoscaling", None)
    deployment = docs(cfg)["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    assert "HorizontalPodAutoscaler" not in docs(cfg)


def test_each_container_requests_its_share_of_the_task_with_limits_equal_to_requests():
    pod = docs(STACK)["Deployment"]["spec"]["template"]["spec"]
    app_c, proxy = pod["containers"]
    assert app_c["resources"] == {
        "requests": {"cpu": "375m", "memory": "768Mi"},
        "limits": {"cpu": "375m", "memory": "768Mi"},
    }
    assert proxy["name"] == "proxy"
    assert proxy["resources"]["requests"] == {"cpu": "125m", "memory": "256Mi"}


def test_probes_come_from_the_target_group_and_container_health_checks():
    container = app(docs(STACK)["Deployment"])
    assert container["readinessProbe"] == {
        "httpGet": {"path": "/health", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "successThreshold": 1,
        "failureThreshold": 2,
    }
    shell = ["/bin/sh", "-c", "curl -f http://localhost:8080/ || exit 1"]
    assert container["livenessProbe"] == {
        "exec": {"command": shell},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }
    # startPeriod 20 s at a 10 s interval: 2 attempts that do not count, then the 3 retries
    assert container["startupProbe"]["failureThreshold"] == 5


def test_draining_becomes_a_prestop_sleep_inside_the_termination_grace_period():
    deployment = docs(STACK)["Deployment"]
    assert app(deployment)["lifecycle"] == {"preStop": {"sleep": {"seconds": 20}}}
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 30


def test_security_context_env_secrets_and_scratch_volumes():
    deployment = docs(STACK)["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    container = app(deployment)
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsUser": 10001,
        "runAsNonRoot": True,
        "runAsGroup": 10001,
    }
    assert container["env"] == [
        {"name": "LOG_LEVEL", "value": "info"},
        {
            "name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "DB_PASSWORD"}},
        },
    ]
    assert pod["volumes"] == [{"name": "scratch-tmp", "emptyDir": {}}]
    assert container["volumeMounts"] == [{"name": "scratch-tmp", "mountPath": "/tmp"}]
    assert pod["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("user", "context"),
    [
        (10001, {"runAsUser": 10001, "runAsNonRoot": True}),  # what `config set --path` writes
        ("00", {"runAsUser": 0, "runAsNonRoot": False}),  # zero-padded root is still root
        ("app:10001", {"runAsGroup": 10001}),  # a name has no Kubernetes id
    ],
)
def test_the_user_is_parsed_as_a_uid_not_read_as_text(user, context):
    container = app(docs(mutate(STACK, "services.api.user", user))["Deployment"])
    ids = {k: v for k, v in container["securityContext"].items() if k.startswith("runAs")}
    assert ids == context


def test_nodes_select_the_task_architecture_and_fargate_does_not():
    nodes = docs(STACK, "nodes")["Deployment"]["spec"]["template"]["spec"]
    fargate = docs(STACK, "fargate")["Deployment"]["spec"]["template"]["spec"]
    assert nodes["nodeSelector"] == {"kubernetes.io/arch": "arm64"}
    assert "nodeSelector" not in fargate
    assert nodes["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"


def test_ingress_carries_the_alb_routing_health_check_and_tls():
    ingress = docs(STACK)["Ingress"]
    notes = ingress["metadata"]["annotations"]
    alb = "alb.ingress.kubernetes.io/"
    assert notes[alb + "group.name"] == "public"
    assert notes[alb + "target-type"] == "ip"
    assert notes[alb + "healthcheck-path"] == "/health"
    assert notes[alb + "healthy-threshold-count"] == "3"
    assert notes[alb + "target-group-attributes"] == "deregistration_delay.timeout_seconds=20"
    assert notes[alb + "certificate-arn"] == CERT
    assert notes[alb + "ssl-redirect"] == "443"
    assert ingress["spec"]["ingressClassName"] == "alb"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "api.example.com"
    assert rule["http"]["paths"][0]["path"] == "/api/*"
    assert rule["http"]["paths"][0]["pathType"] == "ImplementationSpecific"


def test_hpa_and_pdb_follow_the_autoscaling_spec_and_minimum_healthy_percent():
    found = docs(STACK)
    hpa = found["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["metrics"]}
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 60},
        "memory": {"type": "Utilization", "averageUtilization": 70},
    }
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert found["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1


def test_a_network_load_balancer_becomes_an_nlb_service_with_ip_targets():
    cfg = mutate(STACK, "loadBalancers.public.type", "network")
    cfg = mutate(cfg, "services.api.loadBalancer.pathPatterns", [])
    cfg = mutate(cfg, "services.api.loadBalancer.hostHeaders", [])
    cfg = mutate(cfg, "services.api.loadBalancer.healthCheck", {"intervalSeconds": 10})
    service = docs(cfg)["Service"]
    notes = service["metadata"]["annotations"]
    nlb = "service.beta.kubernetes.io/aws-load-balancer-"
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert notes[nlb + "nlb-target-type"] == "ip"
    assert notes[nlb + "ssl-cert"] == CERT
    assert "Ingress" not in docs(cfg)


def test_namespace_turns_on_the_controllers_readiness_gates():
    rendered = compare(plan_config(STACK)).manifests
    (namespace,) = rendered.files["nodes"]["namespace"]
    assert namespace["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"


def test_a_scheduled_task_becomes_a_cronjob():
    task = {
        "image": "public.ecr.aws/docker/library/busybox:1.37",
        "schedule": "cron(0 3 ? * MON-FRI *)",
        "timeZone": "Asia/Seoul",
        "taskCount": 2,
    }
    cfg = mutate(STACK, "scheduledTasks", {"report": task})
    cron = docs(cfg, name="report")["CronJob"]["spec"]
    assert cron["schedule"] == "0 3 * * MON-FRI"
    assert cron["timeZone"] == "Asia/Seoul"
    job = cron["jobTemplate"]["spec"]
    assert (job["parallelism"], job["completions"], job["backoffLimit"]) == (2, 2, 0)
    assert job["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize(
    ("expression", "schedule"),
    [
        ("cron(0 3 * * ? *)", "0 3 * * *"),
        ("cron(30 8 ? * 2-6 *)", "30 8 * * 1-5"),
        ("rate(15 minutes)", "*/15 * * * *"),
        ("rate(6 hours)", "0 */6 * * *"),
        ("rate(1 day)", "0 0 * * *"),
    ],
)
def test_eventbridge_schedules_convert_to_cronjob_syntax(expression, schedule):
    assert to_cronjob(expression) == schedule


@pytest.mark.parametrize(
    "expression", ["rate(7 minutes)", "cron(0 3 * * ? 2027)", "cron(0 3 L * ? *)", "rate(2 days)"]
)
def test_schedules_without_an_exact_cronjob_equivalent_are_refused(expression):
    with pytest.raises(ScheduleError):
        to_cronjob(expression)


def test_every_rendered_manifest_validates_and_a_broken_one_fails():
    rendered = compare(plan_config(STACK)).manifests
    documents = rendered.documents("nodes") + rendered.documents("fargate")
    assert len(documents) == 2 * 7  # namespace; SA, Deployment, Service, Ingress, HPA, PDB
    for doc in documents:
        validate(doc)
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "two"
    with pytest.raises(ManifestError, match="replicas"):
        validate(broken)
    unknown = copy.deepcopy(deployment)
    unknown["spec"]["template"]["spec"]["containers"][0]["cpu"] = "500m"
    with pytest.raises(ManifestError, match="Deployment/api"):
        validate(unknown)
