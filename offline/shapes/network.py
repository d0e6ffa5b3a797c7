"""Network and EC2 capacity resources against the EC2 and EC2 Auto Scaling API shapes."""

from __future__ import annotations

import ipaddress
from typing import Any

from .core import Check, api


def _cidr(value: Any, where: str) -> list[str]:
    """EC2 takes CIDR blocks as strings; they must be networks (no host bits)."""
    try:
        ipaddress.ip_network(value, strict=True)
    except (TypeError, ValueError) as exc:
        return [f"{where}: {value!r} is not a CIDR block ({exc})"]
    return []


def _port(value: Any, where: str) -> list[str]:
    """FromPort/ToPort: -1 (all, ICMP types) or a port number."""
    if isinstance(value, int) and not isinstance(value, bool) and -1 <= value <= 65535:
        return []
    return [f"{where}: {value!r} is not a port (-1 or 0..65535)"]


RULE = [
    ("securityGroupId", api("ec2", "SecurityGroupId")),
    ("referencedSecurityGroupId", api("ec2", "SecurityGroupId")),
    ("ipProtocol", api("ec2", "String")),
    ("fromPort", _port),
    ("toPort", _port),
    ("cidrIpv4", _cidr),
    ("cidrIpv6", _cidr),
    ("description", api("ec2", "String")),
]

CHECKS: dict[str, list[Check]] = {
    "aws:ec2/vpc:Vpc": [
        ("cidrBlock", _cidr),
        ("instanceTenancy", api("ec2", "Tenancy")),
        ("enableDnsHostnames", api("ec2", "Boolean")),
        ("enableDnsSupport", api("ec2", "Boolean")),
    ],
    "aws:ec2/subnet:Subnet": [
        ("vpcId", api("ec2", "VpcId")),
        ("cidrBlock", _cidr),
        ("availabilityZone", api("ec2", "String")),
        ("mapPublicIpOnLaunch", api("ec2", "Boolean")),
    ],
    "aws:ec2/internetGateway:InternetGateway": [("vpcId", api("ec2", "VpcId"))],
    "aws:ec2/eip:Eip": [("domain", api("ec2", "DomainType"))],
    "aws:ec2/natGateway:NatGateway": [
        ("subnetId", api("ec2", "SubnetId")),
        ("allocationId", api("ec2", "AllocationId")),
        ("connectivityType", api("ec2", "ConnectivityType")),
    ],
    "aws:ec2/routeTable:RouteTable": [("vpcId", api("ec2", "VpcId"))],
    "aws:ec2/route:Route": [
        ("routeTableId", api("ec2", "RouteTableId")),
        ("destinationCidrBlock", _cidr),
        ("destinationIpv6CidrBlock", _cidr),
        ("gatewayId", api("ec2", "RouteGatewayId")),
        ("natGatewayId", api("ec2", "NatGatewayId")),
    ],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": [
        ("subnetId", api("ec2", "SubnetId")),
        ("routeTableId", api("ec2", "RouteTableId")),
    ],
    "aws:ec2/vpcEndpoint:VpcEndpoint": [
        ("vpcId", api("ec2", "VpcId")),
        ("serviceName", api("ec2", "String")),
        ("vpcEndpointType", api("ec2", "VpcEndpointType")),
        ("privateDnsEnabled", api("ec2", "Boolean")),
        ("subnetIds[]", api("ec2", "SubnetId")),
        ("routeTableIds[]", api("ec2", "RouteTableId")),
        ("securityGroupIds[]", api("ec2", "SecurityGroupId")),
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        ("vpcId", api("ec2", "VpcId")),
        ("description", api("ec2", "String")),
        ("name", api("ec2", "String")),
    ],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [("vpcId", api("ec2", "VpcId"))],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": RULE,
    "aws:ec2/launchTemplate:LaunchTemplate": [
        ("metadataOptions.httpTokens", api("ec2", "LaunchTemplateHttpTokensState")),
        ("metadataOptions.httpEndpoint", api("ec2", "LaunchTemplateInstanceMetadataEndpointState")),
        ("metadataOptions.httpPutResponseHopLimit", api("ec2", "Integer")),
        ("instanceType", api("ec2", "InstanceType")),
        ("imageId", api("ec2", "ImageId")),
        ("vpcSecurityGroupIds[]", api("ec2", "SecurityGroupId")),
        ("blockDeviceMappings[].deviceName", api("ec2", "String")),
        ("blockDeviceMappings[].ebs.volumeType", api("ec2", "VolumeType")),
        ("blockDeviceMappings[].ebs.volumeSize", api("ec2", "Integer")),
    ],  # fmt: skip
    "aws:autoscaling/group:Group": [
        ("minSize", api("autoscaling", "AutoScalingGroupMinSize")),
        ("maxSize", api("autoscaling", "AutoScalingGroupMaxSize")),
        ("healthCheckType", api("autoscaling", "XmlStringMaxLen32")),
        ("protectFromScaleIn", api("autoscaling", "InstanceProtected")),
        ("launchTemplate.version", api("autoscaling", "XmlStringMaxLen255")),
        ("tags[].key", api("autoscaling", "TagKey")),
        ("tags[].value", api("autoscaling", "TagValue")),
        ("tags[].propagateAtLaunch", api("autoscaling", "PropagateAtLaunch")),
    ],
}
