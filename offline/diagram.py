"""Architecture diagram of a planned stack, as Mermaid text and, with Graphviz, SVG or PNG.

Read from the captured resources: the internet, load balancers and their listeners, the routing
rules to each service, services with their task count per AZ (desired count spread over the
subnets' AZs, as ECS's AZ rebalancing places them), queue workers with the queue they drain,
scheduled tasks with the EventBridge Scheduler schedule that starts them, Service Connect edges,
NAT gateways or the NAT instance, and VPC endpoints. One neutral graph (diagram_render) is
rendered to both formats.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .diagram_render import Diagram, dot, mermaid
from .engine import Captured, Plan
from .topology import (
    ACTIVATION,
    INSTANCE,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    NAT_GATEWAY,
    TASK_DEFINITION,
    VPC_ENDPOINT,
    Graph,
    ServiceView,
    services,
)

SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
SCHEDULE = "aws:scheduler/schedule:Schedule"
QUEUE = "aws:sqs/queue:Queue"
WORKER = "ecs-platform:worker:Worker"
ON_PREMISES = "On premises (ECS Anywhere)"


def build(plan: Plan) -> Diagram:
    return _Builder(plan).build()


class _Builder:
    """Draws one plan: each step adds its nodes and edges, in the order the renderings list
    them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.graph = Graph(plan.resources)
        vpcs = self.graph.of_type(VPC)
        self.vpc_label = "VPC " + (vpcs[0].inputs.get("cidrBlock", "") if vpcs else "(existing)")
        self.d = Diagram(title=f"{plan.project} {plan.stack} ({plan.region})")
        self.views: list[ServiceView] = []
        self.service_nodes: dict[str, str] = {}  # service URN -> node
        self.listener_nodes: dict[str, str] = {}  # listener URN -> node
        self.platform_nodes: dict[str, str] = {}  # a platform's load balancer name -> node

    def build(self) -> Diagram:
        internet = self.d.node("internet", "Internet", "circle")
        self._load_balancers(internet)
        self.views = services(self.graph)
        self.service_nodes = {
            v.service.urn: self.d.node(
                f"svc_{v.name}",
                _service_label(self.graph, v),
                "box",
                ON_PREMISES if v.external else self.vpc_label,
            )
            for v in self.views
        }
        self._on_premises(internet)
        self._routing()
        self._service_connect()
        self._queues()
        tasks = self._scheduled_tasks()
        self._egress(internet, tasks)
        return self.d

    def _load_balancers(self, internet: str) -> None:
        """Load balancers (internet-facing ones reached from the internet) and their listeners."""
        d, graph = self.d, self.graph
        lb_nodes: dict[str, str] = {}
        for lb in graph.of_type(LOAD_BALANCER):
            kind = "NLB" if lb.inputs.get("loadBalancerType") == "network" else "ALB"
            internal = bool(lb.inputs.get("internal"))
            name = graph.display_name(lb)
            lb_nodes[lb.urn] = d.node(
                f"lb_{name}", f"{kind} {name}<br/>{'internal' if internal else 'internet-facing'}",
                group=self.vpc_label,
            )  # fmt: skip
            if not internal:
                d.edge(internet, lb_nodes[lb.urn])
        for listener in graph.of_type(LISTENER):
            for lb in graph.deps(listener, LOAD_BALANCER):
                port, proto = listener.inputs.get("port"), listener.inputs.get("protocol", "")
                node = d.node(
                    f"listener_{listener.name}", f"{proto} :{port}", "round", self.vpc_label
                )
                self.listener_nodes[listener.urn] = node
                d.edge(lb_nodes[lb.urn], node)

    def _platform_listener(self, service: str) -> str:
        """A service stack's rule sits on its platform's ALB listener (not in this plan)."""
        config = self.plan.config
        spec = config.services.get(service)
        lb = spec.load_balancer.name if spec is not None and spec.load_balancer else "?"
        if lb not in self.platform_nodes:
            platform = config.platform
            owner = platform.stack if platform is not None and platform.stack else "existing"
            self.platform_nodes[lb] = self.d.node(
                f"platform_lb_{lb}", f"ALB {lb}<br/>listener of {owner} (not in this stack)",
                "round", self.vpc_label,
            )  # fmt: skip
            known = (config.platform_load_balancers or {}).get(lb)
            if known is None or not known.internal:
                self.d.edge("internet", self.platform_nodes[lb])
        return self.platform_nodes[lb]

    def _on_premises(self, internet: str) -> None:
        """ECS Anywhere: the team's servers, registered through the SSM activation, run the
        EXTERNAL services; they reach AWS over their own network, not through the VPC."""
        for activation in self.graph.of_type(ACTIVATION):
            limit = activation.inputs.get("registrationLimit", "?")
            servers = self.d.node(
                "onprem_servers",
                f"your servers<br/>up to {limit} registered by SSM activation",
                "cylinder",
                ON_PREMISES,
            )
            self.d.edge(servers, internet, "agents to ECS/SSM", dashed=True)
            for v in self.views:
                if v.external:
                    self.d.edge(self.service_nodes[v.service.urn], servers, "runs on")

    def _routing(self) -> None:
        """Listener (through its rules' conditions, or an NLB listener) to each service."""
        graph = self.graph
        for v in self.views:
            target = self.service_nodes[v.service.urn]
            for tg in v.target_groups:
                for rule in graph.dependents(tg, LISTENER_RULE):
                    for listener in graph.deps(rule, LISTENER):
                        self.d.edge(self.listener_nodes[listener.urn], target, _rule_label(rule))
                    if not graph.deps(rule, LISTENER):  # a listener this stack does not own
                        self.d.edge(self._platform_listener(v.name), target, _rule_label(rule))
                for listener in graph.dependents(tg, LISTENER):
                    self.d.edge(self.listener_nodes[listener.urn], target)

    def _service_connect(self) -> None:
        """Service Connect: clients reach every server's discovery name in the namespace."""
        servers = [v for v in self.views if _service_connect(v.service).get("services")]
        for client in self.views:
            if not _service_connect(client.service).get("enabled"):
                continue
            for server in servers:
                if server is not client:
                    self.d.edge(
                        self.service_nodes[client.service.urn],
                        self.service_nodes[server.service.urn],
                        "Service Connect",
                        dashed=True,
                    )

    def _queues(self) -> None:
        """Queue workers: the queue each one drains (created here, or an existing one by name)."""
        graph = self.graph
        for v in self.views:
            parent = graph.by_urn.get(v.service.parent or "")
            while parent is not None and parent.type != WORKER:
                parent = graph.by_urn.get(parent.parent or "")
            if parent is None:
                continue
            queue = _worker_queue(self.plan, graph, parent)
            if queue:
                node = self.d.node(f"queue_{parent.name}", f"SQS queue {queue}", "cylinder")
                self.d.edge(node, self.service_nodes[v.service.urn], "messages")

    def _scheduled_tasks(self) -> list[tuple[str, bool]]:
        """EventBridge Scheduler starts each scheduled task definition in the cluster; the task
        nodes, each with whether it gets a public IP."""
        d, graph = self.d, self.graph
        tasks = []
        schedules = sorted(graph.of_type(SCHEDULE), key=lambda r: r.urn)
        scheduler = d.node("scheduler", "EventBridge Scheduler", "circle") if schedules else ""
        for schedule in schedules:
            owner = graph.display_name(schedule)
            node = d.node(f"task_{owner}", _task_label(graph, schedule), "box", self.vpc_label)
            when = str(schedule.inputs.get("scheduleExpression", ""))
            zone = schedule.inputs.get("scheduleExpressionTimezone")
            d.edge(scheduler, node, f"{when} {zone}" if zone else when)
            tasks.append((node, _task_public_ip(schedule)))
        return tasks

    def _egress(self, internet: str, tasks: list[tuple[str, bool]]) -> None:
        """How tasks reach the internet and AWS: NAT gateways or instance, public IPs, VPC
        endpoints."""
        d, graph, vpc_label = self.d, self.graph, self.vpc_label
        egress = []
        nats = graph.of_type(NAT_GATEWAY)
        if nats:
            zones = ", ".join(sorted(_zone(graph, n)[-1:] for n in nats))
            label = f"NAT gateway{'s' if len(nats) > 1 else ''} ({zones})"
            egress.append(d.node("nat_gateways", label, "diamond", vpc_label))
        for instance in graph.of_type(INSTANCE):
            if instance.inputs.get("sourceDestCheck") is False:
                label = f"NAT instance {instance.inputs.get('instanceType', '')}"
                egress.append(d.node(f"nat_{instance.name}", label, "diamond", vpc_label))
        nodes = self.service_nodes
        private = [nodes[v.service.urn] for v in self.views if not _public_ip(v) and not v.external]
        private += [node for node, public in tasks if not public]
        public = [nodes[v.service.urn] for v in self.views if _public_ip(v)]
        public += [node for node, public_ip in tasks if public_ip]
        for node in egress:
            d.edge(node, internet, "egress")
            for source in private:
                d.edge(source, node, dashed=True)
        for source in public:
            d.edge(source, internet, "public IP", dashed=True)
        endpoints = [
            str(e.inputs.get("serviceName", e.name)).split(".", 3)[-1]
            for e in graph.of_type(VPC_ENDPOINT)
        ]
        if endpoints:
            node = d.node(
                "endpoints", "VPC endpoints<br/>" + ", ".join(endpoints), "cylinder", vpc_label
            )
            for source in private:
                d.edge(source, node, dashed=True)


def tasks(n: int) -> str:
    return f"{n} task" if n == 1 else f"{n} tasks"


def _size(task_definition: Captured | None, external: bool = False) -> str:
    td = task_definition.inputs if task_definition else {}
    arch = (td.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    size = f"{int(td.get('cpu', 0)) / 1024:g} vCPU / {int(td.get('memory', 0)) / 1024:g} GB"
    return size if external else f"{size} {arch}"


def _service_label(graph: Graph, v: ServiceView) -> str:
    zones = sorted({_zone(graph, s) for s in graph.deps(v.service, SUBNET)} - {""})
    n = v.desired_count
    spread = ", ".join(
        f"{zone[-1]}: {n // len(zones) + (1 if i < n % len(zones) else 0)}"
        for i, zone in enumerate(zones)
    )
    count = tasks(n) + (f" ({spread})" if spread else "")
    if v.count_range:
        count += f", scales {v.count_range[0]}..{v.count_range[1]}"
    capacity = "external instances" if v.external else "Fargate" if v.fargate else "EC2"
    return f"{v.name}<br/>{count}<br/>{_size(v.task_definition, v.external)} on {capacity}"


def _task_label(graph: Graph, schedule: Captured) -> str:
    name = graph.display_name(schedule)
    ecs = (schedule.inputs.get("target") or {}).get("ecsParameters") or {}
    definitions = graph.deps(schedule, TASK_DEFINITION)
    count = tasks(int(ecs.get("taskCount", 1)))
    state = "" if schedule.inputs.get("state", "ENABLED") == "ENABLED" else " (disabled)"
    size = _size(definitions[0] if definitions else None)
    return f"{name}<br/>scheduled task: {count} per run{state}<br/>{size}"


def _task_public_ip(schedule: Captured) -> bool:
    ecs = (schedule.inputs.get("target") or {}).get("ecsParameters") or {}
    return bool((ecs.get("networkConfiguration") or {}).get("assignPublicIp"))


def _worker_queue(plan: Plan, graph: Graph, worker: Captured) -> str:
    """The worker's queue: its own `{name}-queue`, or the existing queue the config names."""
    for queue in graph.of_type(QUEUE):
        if queue.parent == worker.urn and queue.name == f"{worker.name}-queue":
            return queue.name
    spec = plan.config.workers.get(worker.name) if plan.config is not None else None
    return (spec.queue.existing_queue_name or "") if spec is not None else ""


def _rule_label(rule: Captured) -> str:
    values = []
    for condition in rule.inputs.get("conditions") or []:
        for key in ("pathPattern", "hostHeader"):
            values += (condition.get(key) or {}).get("values") or []
    return " ".join(values)


def _service_connect(service: Captured) -> dict:
    return dict(service.inputs.get("serviceConnectConfiguration") or {})


def _public_ip(v: ServiceView) -> bool:
    return bool((v.service.inputs.get("networkConfiguration") or {}).get("assignPublicIp"))


def _zone(graph: Graph, r: Captured) -> str:
    if r.type == SUBNET:
        return str(r.inputs.get("availabilityZone", ""))
    subnets = graph.deps(r, SUBNET)
    return str(subnets[0].inputs.get("availabilityZone", "")) if subnets else ""


def write(plan: Plan, out_dir: Path, formats: tuple[str, ...] = ("svg", "png")) -> list[Path]:
    """Write <stack>.mmd, plus <stack>.<fmt> for each format when Graphviz's `dot` exists."""
    d = build(plan)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / f"{plan.stack}.mmd"]
    written[0].write_text(mermaid(d))
    (out_dir / f"{plan.stack}.dot").write_text(dot(d))
    written.append(out_dir / f"{plan.stack}.dot")
    exe = shutil.which("dot")
    if exe is None:
        return written
    for fmt in formats:
        target = out_dir / f"{plan.stack}.{fmt}"
        subprocess.run(
            [exe, f"-T{fmt}", "-o", str(target), str(written[1])], check=True, timeout=60
        )
        written.append(target)
    return written


README_START = (
    "<!-- diagram: {stack} (python -m offline diagram --stack {stack} --readme README.md) -->"
)
README_END = "<!-- end of diagram -->"


def readme_block(stack: str, text: str) -> str:
    """The README's diagram section of `stack`: markers around a Mermaid code block."""
    return f"{README_START.format(stack=stack)}\n```mermaid\n{text}```\n{README_END}"


def update_readme(readme: str, stack: str, text: str) -> str:
    """`readme` with the stack's diagram block replaced (or appended when it has none)."""
    start = README_START.format(stack=stack)
    block = readme_block(stack, text)
    if start not in readme:
        return readme.rstrip("\n") + "\n\n" + block + "\n"
    head, rest = readme.split(start, 1)
    return head + block + rest.split(README_END, 1)[1]
