"""Deterministic mock answers: resource outputs and invokes, from the stack's region and config.

Every computed value (IDs, ARNs, DNS names, auto-names) is derived from the resource's URN, so
two plans of the same config are identical and a diff between two configs shows only what
changed. Nothing here is asserted by tests as a property of our program: these values stand in
for what AWS returns, so that Outputs resolve.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from typing import Any

import pulumi

from components.concepts import images
from components.specs.platform import StackName

# Availability zones per region (names as returned by DescribeAvailabilityZones).
REGION_AZS: dict[str, tuple[str, ...]] = {
    "us-east-1": ("a", "b", "c", "d", "e", "f"),
    "us-east-2": ("a", "b", "c"),
    "us-west-1": ("a", "c"),
    "us-west-2": ("a", "b", "c", "d"),
    "eu-west-1": ("a", "b", "c"),
    "eu-west-2": ("a", "b", "c"),
    "eu-central-1": ("a", "b", "c"),
    "eu-north-1": ("a", "b", "c"),
    "ap-northeast-1": ("a", "c", "d"),
    "ap-northeast-2": ("a", "b", "c", "d"),
    "ap-southeast-1": ("a", "b", "c"),
    "ap-southeast-2": ("a", "b", "c"),
    "ap-south-1": ("a", "b", "c"),
    "ca-central-1": ("a", "b", "d"),
    "sa-east-1": ("a", "b", "c"),
}
DEFAULT_ACCOUNT = "123456789012"
PLACEHOLDER_DIGEST = "sha256:" + "0" * 64

_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "ns-",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "ns-",
    "aws:efs/fileSystem:FileSystem": "fs-",
}

# type token -> (ARN service, resource template); {n} is the physical name, {id} the ID.
_ARN = {
    "aws:ecs/cluster:Cluster": ("ecs", "cluster/{n}"),
    "aws:ecs/service:Service": ("ecs", "service/{n}"),
    "aws:ecs/capacityProvider:CapacityProvider": ("ecs", "capacity-provider/{n}"),
    "aws:iam/role:Role": ("iam", "role/{n}"),
    "aws:iam/policy:Policy": ("iam", "policy/{n}"),
    "aws:iam/instanceProfile:InstanceProfile": ("iam", "instance-profile/{n}"),
    "aws:cloudwatch/logGroup:LogGroup": ("logs", "log-group:{n}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("cloudwatch", "alarm:{n}"),
    "aws:cloudwatch/dashboard:Dashboard": ("cloudwatch", "dashboard/{n}"),
    "aws:kms/key:Key": ("kms", "key/{id}"),
    "aws:lb/loadBalancer:LoadBalancer": ("elasticloadbalancing", "loadbalancer/{kind}/{n}/{h}"),
    "aws:lb/targetGroup:TargetGroup": ("elasticloadbalancing", "targetgroup/{n}/{h}"),
    "aws:lb/listener:Listener": ("elasticloadbalancing", "listener/app/lb/{h}/{h2}"),
    "aws:lb/listenerRule:ListenerRule": ("elasticloadbalancing", "listener-rule/app/lb/{h}/{h2}"),
    "aws:sqs/queue:Queue": ("sqs", "{n}"),
    "aws:sns/topic:Topic": ("sns", "{n}"),
    "aws:ecr/repository:Repository": ("ecr", "repository/{n}"),
    "aws:scheduler/schedule:Schedule": ("scheduler", "schedule/default/{n}"),
    "aws:cloudwatch/eventRule:EventRule": ("events", "rule/{n}"),
    "aws:ssm/activation:Activation": ("ssm", "activation/{id}"),
    "aws:servicediscovery/httpNamespace:HttpNamespace": ("servicediscovery", "namespace/{id}"),
    "aws:wafv2/webAcl:WebAcl": ("wafv2", "regional/webacl/{n}/{h}"),
}
_GLOBAL_ARN = {"iam", "s3"}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def infer_account(config: dict[str, Any]) -> str:
    """The account ID most ARNs in the config name, so mocked ARNs agree with the config."""
    found = re.findall(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", json.dumps(config))
    return max(set(found), key=found.count) if found else DEFAULT_ACCOUNT


def referenced_outputs(name: str, given: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The outputs of referenced stack `name` (`org/project/stack` or short) in `given`, or an
    EngineError naming the stack."""
    from .errors import EngineError

    short = StackName.parse(name).stack
    outputs = given.get(name, given.get(short))
    if outputs is None:
        raise EngineError(
            f"StackReference {name!r}: no outputs given for stack {short!r} (given: "
            f"{', '.join(sorted(given)) or 'none'}); plan that stack first and pass its outputs"
        )
    return outputs


class OfflineMocks(pulumi.runtime.Mocks):
    """Answers for `new_resource` and `call` (invokes) under the mock engine."""

    def __init__(
        self,
        region: str,
        account: str = DEFAULT_ACCOUNT,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.account = account
        # Referenced stack (short name, as in platform.stack) -> its exported outputs.
        self.stack_outputs = dict(stack_outputs or {})
        self._lock = threading.Lock()
        self.invokes: list[str] = []

    # -- resources --------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(str(args.inputs.get("name") or args.name))
        if not args.custom:
            # Remote components (awsx) are built by their provider plugin, which never runs
            # offline: their outputs are stand-ins, clearly fake.
            if args.typ == "awsx:ecr:Image":
                uri = f"{args.inputs.get('repositoryUrl', 'repository')}@{PLACEHOLDER_DIGEST}"
                return f"{args.name}-component", {"imageUri": uri}
            return f"{args.name}-component", {}
        # IDs derive from type and name only, so they do not change when inputs change.
        stable = _digest(args.typ, args.name)
        inputs = dict(args.inputs)
        physical = self._physical_name(args.typ, args.name, inputs, stable)
        prefix = _ID_PREFIX.get(args.typ)
        rid = f"{prefix}{stable[:17]}" if prefix else physical
        state: dict[str, Any] = {**inputs, "id": rid}
        state.update(self._computed(args.typ, physical, rid, stable, inputs))
        return rid, state

    def _stack_reference(self, name: str) -> tuple[str, dict]:
        """A StackReference (`org/project/stack` or short): the given stack's outputs."""
        outputs = referenced_outputs(name, self.stack_outputs)
        return name, {"name": name, "outputs": outputs, "secretOutputNames": []}

    def _physical_name(self, typ: str, name: str, inputs: dict[str, Any], h: str) -> str:
        if isinstance(inputs.get("name"), str):
            return inputs["name"]
        if isinstance(inputs.get("namePrefix"), str):
            return inputs["namePrefix"] + h[: 26 - len(inputs["namePrefix"])]
        if typ == "aws:s3/bucket:Bucket" or typ == "aws:s3/bucketV2:BucketV2":
            return inputs.get("bucket") or f"{name}-{h[:7]}".lower()
        return f"{name}-{h[:7]}"  # Pulumi auto-naming: logical name plus a random suffix

    def _arn(self, service: str, resource: str) -> str:
        region = "" if service in _GLOBAL_ARN else self.region
        account = "" if service == "s3" else self.account
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    def _computed(
        self, typ: str, n: str, rid: str, h: str, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"name": n}
        module = typ.split(":")[1].split("/")[0]
        service, template = _ARN.get(typ, (module, f"{typ.split(':')[-1].lower()}/{rid}"))
        kind = "net" if inputs.get("loadBalancerType") == "network" else "app"
        out["arn"] = self._arn(
            service, template.format(n=n, id=rid, h=h[:16], h2=h[16:32], kind=kind)
        )
        if typ == "aws:lb/loadBalancer:LoadBalancer":
            internal = "internal-" if inputs.get("internal") else ""
            out["dnsName"] = (
                f"{internal}{n}-{int(h[:8], 16) % 10**10}.{self.region}.elb.amazonaws.com"
            )
            out["arnSuffix"] = out["arn"].split(":loadbalancer/")[1]
            out["zoneId"] = "Z" + h[:13].upper()
        elif typ == "aws:lb/targetGroup:TargetGroup":
            out["arnSuffix"] = out["arn"].split(":", 5)[5]
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            family = inputs.get("family", n)
            base = self._arn("ecs", f"task-definition/{family}")
            out.update(arn=f"{base}:1", arnWithoutRevision=base, revision=1, family=family)
        elif typ == "aws:ecs/service:Service":
            out["arn"] = self._arn("ecs", f"service/cluster/{n}")
            out["id"] = out["arn"]
        elif typ == "aws:iam/role:Role":
            out["uniqueId"] = "AROA" + h[:17].upper()
        elif typ == "aws:kms/key:Key":
            out["keyId"] = rid
        elif typ == "aws:ec2/instance:Instance":
            out["primaryNetworkInterfaceId"] = f"eni-{h[:17]}"
            out["privateIp"] = f"10.255.{int(h[:2], 16)}.{int(h[2:4], 16) % 254 + 1}"
        elif typ == "aws:ec2/eip:Eip":
            out["allocationId"] = rid
            out["publicIp"] = f"203.0.113.{int(h[:2], 16) % 254 + 1}"
        elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
            out["latestVersion"] = 1
        elif typ == "aws:ec2/vpc:Vpc":
            out["defaultSecurityGroupId"] = f"sg-{h[17:34]}"
            out["mainRouteTableId"] = f"rtb-{h[17:34]}"
            if inputs.get("assignGeneratedIpv6CidrBlock"):  # a /56 from the documentation range
                out["ipv6CidrBlock"] = f"2001:db8:{h[:4]}:{h[4:6]}00::/56"
        elif typ == "aws:autoscaling/group:Group":
            out["arn"] = self._arn(
                "autoscaling", f"autoScalingGroup:{h[:36]}:autoScalingGroupName/{n}"
            )
        elif typ == "aws:sqs/queue:Queue":
            out["url"] = f"https://sqs.{self.region}.amazonaws.com/{self.account}/{n}"
        elif typ == "aws:ecr/repository:Repository":
            out["repositoryUrl"] = f"{images.ecr_registry(self.account, self.region)}/{n}"
            out["registryId"] = self.account
        elif typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            out["bucket"] = n
            out["arn"] = f"arn:aws:s3:::{n}"
        elif typ == "aws:ssm/activation:Activation":
            out["activationCode"] = "[offline activation code]"
        elif typ == "time:index/offset:Offset":  # recorded when `pulumi up` creates it
            out["rfc3339"] = f"[deploy time + {int(inputs.get('offsetDays', 0))} days]"
        return out

    # -- invokes ----------------------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:  # type: ignore[override]
        with self._lock:
            self.invokes.append(args.token)
        token, a = args.token, args.args
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = REGION_AZS.get(self.region, ("a", "b", "c"))
            names = [f"{self.region}{x}" for x in letters]
            short = "".join(p[0] for p in self.region.split("-")[:2]) + self.region[-1]
            ids = [f"{short}-az{i + 1}" for i in range(len(names))]
            return {"names": names, "zoneIds": ids, "id": self.region, "state": "available"}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:user/offline",
                "userId": "AIDAOFFLINE",
                "id": self.account,
            }
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:ssm/getParameter:getParameter":
            name = a["name"]
            return {
                "name": name,
                "value": "ami-" + _digest(self.region, name)[:17],
                "type": "String",
                "id": name,
            }
        raise NotImplementedError(
            f"the offline engine has no answer for invoke {token}; add one to offline/mocks.py"
        )
