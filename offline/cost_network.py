"""Priced family: networking. Load balancers (hour plus the assumed capacity units), public IPv4
addresses (per address-hour, attached or idle: one per AZ of an internet-facing load balancer,
each Elastic IP), NAT gateways (hour plus the assumed GB processed) and interface VPC endpoints
(per AZ-hour plus GB; gateway endpoints are free).
"""

from __future__ import annotations

from .cost_lines import Ledger
from .engine import Captured
from .topology import LOAD_BALANCER, NAT_GATEWAY, VPC_ENDPOINT

EIP = "aws:ec2/eip:Eip"


def price_network(ledger: Ledger) -> None:
    for lb in ledger.graph.of_type(LOAD_BALANCER):
        _load_balancer(ledger, lb)
    nats = ledger.graph.of_type(NAT_GATEWAY)
    for nat in nats:
        _nat_gateway(ledger, nat, len(nats))
    for eip in ledger.graph.of_type(EIP):
        ipv4(ledger, eip, 1, f"Elastic IP {eip.name}")
    for endpoint in ledger.graph.of_type(VPC_ENDPOINT):
        _endpoint(ledger, endpoint)


def ipv4(ledger: Ledger, r: Captured, count: int, item: str) -> None:
    if count <= 0:
        return
    price = ledger.price("ipv4", "addressHour")
    usd = ledger.prices.monthly(price, count)
    ledger.add(r, f"{item} ({count})" if count > 1 else item, usd, f"{price.describe()} x {count}")


def _load_balancer(ledger: Ledger, lb: Captured) -> None:
    network = lb.inputs.get("loadBalancerType", "application") == "network"
    hour_usd, hour_basis = ledger.hourly("elb", "nlbHour" if network else "albHour", 1)
    units = ledger.a.load_balancer_capacity_units
    unit_name = "NLCU" if network else "LCU"
    unit_usd, unit_basis = ledger.hourly("elb", "nlcuHour" if network else "lcuHour", units)
    label = "NLB" if network else "ALB"
    name = ledger.graph.display_name(lb)
    scope = "internal" if lb.inputs.get("internal") else "internet-facing"
    ledger.add(
        lb,
        f"{label} {name} ({scope}), {units:g} {unit_name} baseline",
        hour_usd + unit_usd,
        f"{hour_basis}; {units:g} {unit_name} at {unit_basis} "
        "(assumptions.loadBalancerCapacityUnits)",
    )
    # dualstack-without-public-ipv4: the ALB has public IPv6 addresses only (ELB API
    # reference, CreateLoadBalancer IpAddressType), so no public IPv4 charge.
    public_ipv4 = lb.inputs.get("ipAddressType") != "dualstack-without-public-ipv4"
    if not lb.inputs.get("internal") and public_ipv4:
        zones = len(lb.inputs.get("subnets") or lb.inputs.get("subnetMappings") or [])
        ipv4(ledger, lb, zones, f"{label} {name}: one public IPv4 per AZ")


def _nat_gateway(ledger: Ledger, nat: Captured, gateways: int) -> None:
    hour_usd, hour_basis = ledger.hourly("nat", "gatewayHour", 1)
    gb = ledger.a.nat_data_processed_gb_per_month / gateways
    data = ledger.price("nat", "dataGb")
    ledger.add(
        nat,
        f"NAT gateway {nat.name}, {gb:.3g} GB processed",
        hour_usd + data.usd * gb,
        f"{hour_basis}; {gb:.3g} GB at {data.describe()} "
        f"(assumptions.natDataProcessedGbPerMonth split over {gateways})",
    )


def _endpoint(ledger: Ledger, endpoint: Captured) -> None:
    if endpoint.inputs.get("vpcEndpointType", "Gateway") != "Interface":
        return  # gateway endpoints (S3, DynamoDB) are free
    zones = len(endpoint.inputs.get("subnetIds") or [])
    hour_usd, hour_basis = ledger.hourly("vpce", "interfaceAzHour", zones)
    gb = ledger.a.interface_endpoint_data_gb_per_month
    data = ledger.price("vpce", "dataGb")
    # com.amazonaws.<region>.<service>; the service part may hold dots (ecr.api).
    service = str(endpoint.inputs.get("serviceName", endpoint.name)).split(".", 3)[-1]
    ledger.add(
        endpoint,
        f"interface endpoint {service} in {zones} AZs, {gb:g} GB",
        hour_usd + data.usd * gb,
        f"{hour_basis} x {zones} AZs; {gb:g} GB at {data.describe()} "
        "(assumptions.interfaceEndpointDataGbPerMonth)",
    )
