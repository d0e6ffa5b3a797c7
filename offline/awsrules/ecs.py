"""ECS API rules across resources: which APIs accept which capacity providers, Service Connect.

Each rule cites the ECS API reference or developer guide page that states it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import AwsRule
from .graph import UNKNOWN, Graph, Node, json_document
from .references import FARGATE, T

MANAGED_INSTANCES_PUT = (
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html"
)
STRATEGY_ITEM = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html"
PORT_MAPPING = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"
SERVICE_CONNECT = (
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html"
)


def _managed_instances(node: Node | None) -> bool:
    return node is not None and node.inputs.get("managedInstancesProvider") is not None


def _put_refuses_managed_instances(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.of_type(T["capacity"]):
        paths = ("capacityProviders[]", "defaultCapacityProviderStrategies[].capacityProvider")
        for path in paths:
            for where, value in node.values(path):
                provider = graph.resolve(value, T["provider"])
                if _managed_instances(provider):
                    assert provider is not None
                    yield (
                        node,
                        (
                            f"{where} names the Managed Instances capacity provider "
                            f"{provider.name}; PutClusterCapacityProviders refuses it (it is bound "
                            "to its cluster when created): leave it out and name it in the "
                            "services' own strategy"
                        ),
                    )


def _cluster_of(graph: Graph, value: Any) -> tuple[Node | None, Node | None]:
    """(cluster, its ClusterCapacityProviders) for a service's `cluster` value."""
    assoc = graph.resolve(value, T["capacity"])
    if assoc is not None:
        return graph.resolve(assoc.inputs.get("clusterName"), T["cluster"]), assoc
    cluster = graph.resolve(value, T["cluster"])
    if cluster is None:
        return None, None
    for candidate in graph.of_type(T["capacity"]):
        if graph.resolve(candidate.inputs.get("clusterName"), T["cluster"]) is cluster:
            return cluster, candidate
    return cluster, None


def _strategy_users(graph: Graph) -> Iterator[tuple[Node, str, Any, list[Any]]]:
    """(resource, strategy path, cluster value, providers) of everything that runs tasks."""
    for node in graph.of_type(T["service"]):
        providers = [v for _, v in node.values("capacityProviderStrategies[].capacityProvider")]
        yield node, "capacityProviderStrategies", node.inputs.get("cluster"), providers
    for node in graph.of_type("aws:scheduler/schedule:Schedule"):
        path = "target.ecsParameters.capacityProviderStrategies[].capacityProvider"
        providers = [v for _, v in node.values(path)]
        target = node.inputs.get("target") or {}
        yield node, "target.ecsParameters.capacityProviderStrategies", target.get("arn"), providers


def _strategy_providers_on_the_cluster(graph: Graph) -> Iterator[tuple[Node, str]]:
    """A strategy may name only providers available in the task's cluster: FARGATE,
    FARGATE_SPOT and Auto Scaling group providers once put on the cluster, a Managed
    Instances provider only in the cluster it was created for."""
    for node, path, cluster_value, providers in _strategy_users(graph):
        if cluster_value == UNKNOWN or not providers:
            continue
        cluster, assoc = _cluster_of(graph, cluster_value)
        if cluster is None:
            continue  # an external cluster: nothing to compare with
        associated = set()
        if assoc is not None:
            associated = {v for _, v in assoc.values("capacityProviders[]")}
        for value in providers:
            if value == UNKNOWN:
                continue
            provider = graph.resolve(value, T["provider"])
            if _managed_instances(provider):
                assert provider is not None
                bound = graph.resolve(provider.inputs.get("cluster"), T["cluster"])
                if bound is not cluster and provider.inputs.get("cluster") != UNKNOWN:
                    yield (
                        node,
                        (
                            f"{path} names {provider.name}, a Managed Instances provider of "
                            f"another cluster than {cluster.name}"
                        ),
                    )
            elif (value in FARGATE or provider is not None) and value not in associated:
                yield (
                    node,
                    (
                        f"{path} names {value!r}, which is not among the capacity providers put on "
                        f"cluster {cluster.name}; only providers associated with the cluster can "
                        "be used in a strategy"
                    ),
                )


def _task_definition(graph: Graph, service: Node) -> Node | None:
    return graph.resolve(service.inputs.get("taskDefinition"), T["taskdef"])


def _port_mappings(taskdef: Node) -> dict[str, tuple[dict[str, Any], str]]:
    """Named port mappings of a task definition -> (mapping, container name)."""
    containers = json_document(taskdef.inputs.get("containerDefinitions")) or []
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for c in containers if isinstance(containers, list) else []:
        for m in c.get("portMappings") or []:
            if m.get("name"):
                out[m["name"]] = (m, c.get("name", ""))
    return out


def _service_connect_ports(graph: Graph) -> Iterator[tuple[Node, str]]:
    for service in graph.of_type(T["service"]):
        taskdef = _task_definition(graph, service)
        if taskdef is None or taskdef.inputs.get("containerDefinitions") == UNKNOWN:
            continue
        named = _port_mappings(taskdef)
        for where, port in service.values("serviceConnectConfiguration.services[].portName"):
            if port != UNKNOWN and port not in named:
                yield (
                    service,
                    (
                        f"{where} = {port!r} is not a named port mapping of {taskdef.name} "
                        f"(named: {', '.join(sorted(named)) or 'none'})"
                    ),
                )


def _http_behind_alb(graph: Graph, service: Node) -> set[int]:
    """Container ports an HTTP(S) target group sends traffic to: the app speaks HTTP there."""
    ports = set()
    for where, arn in service.values("loadBalancers[].targetGroupArn"):
        tg = graph.resolve(arn, T["tg"])
        if tg is not None and tg.inputs.get("protocol") in ("HTTP", "HTTPS"):
            index = int(where.split("[")[1].split("]")[0])
            port = (service.inputs.get("loadBalancers") or [{}])[index].get("containerPort")
            if isinstance(port, int):
                ports.add(port)
    return ports


def _http_ports_name_their_protocol(graph: Graph) -> Iterator[tuple[Node, str]]:
    for service in graph.of_type(T["service"]):
        taskdef = _task_definition(graph, service)
        if taskdef is None:
            continue
        http = _http_behind_alb(graph, service)
        named = _port_mappings(taskdef)
        for where, port in service.values("serviceConnectConfiguration.services[].portName"):
            mapping, _container = named.get(port, ({}, ""))
            if mapping.get("containerPort") in http and not mapping.get("appProtocol"):
                yield (
                    service,
                    (
                        f"{where} = {port!r} serves HTTP (an HTTP target group sends to port "
                        f"{mapping['containerPort']}) but its port mapping has no appProtocol: "
                        "Service Connect proxies it as plain TCP (no HTTP metrics, retries or "
                        "outlier detection)"
                    ),
                )


RULES = [
    AwsRule(
        id="ecs-managed-instances-not-put-on-cluster",
        title="PutClusterCapacityProviders never names a Managed Instances provider",
        url=MANAGED_INSTANCES_PUT,
        reason="Amazon ECS Managed Instances doesn't support PutClusterCapacityProviders: the "
        "provider is available only within the cluster it was created for.",
        check=_put_refuses_managed_instances,
    ),
    AwsRule(
        id="ecs-strategy-provider-on-cluster",
        title="A capacity provider strategy names only providers available in its cluster",
        url=STRATEGY_ITEM,
        reason="Only capacity providers that are already associated with a cluster can be "
        "used in a capacity provider strategy.",
        check=_strategy_providers_on_the_cluster,
    ),
    AwsRule(
        id="ecs-service-connect-port-named",
        title="A Service Connect port name is a named port mapping of the task definition",
        url=SERVICE_CONNECT,
        reason="portName must match the name of one of the portMappings of all the containers "
        "in the task definition of this service.",
        check=_service_connect_ports,
    ),
    AwsRule(
        id="ecs-service-connect-app-protocol",
        title="A Service Connect port that serves HTTP names its appProtocol",
        url=PORT_MAPPING,
        reason="If you don't set appProtocol, TCP is used: no protocol-specific connection "
        "handling or telemetry for an HTTP service.",
        check=_http_ports_name_their_protocol,
    ),
]
