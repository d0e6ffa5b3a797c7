"""LoadBalancer component: inputs for ALB/NLB, HTTPS and redirect, logs, WAF, and absences."""

from __future__ import annotations

import json

import pytest

from components.config import ConfigError, parse_stack_config
from components.naming import aws_name, name_prefix
from components.specs.load_balancer import DEFAULT_TLS_POLICY
from tests.support import config, only, plan_config

CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/2f4a7c9e-6b1d-4e8a-9c3f-5d7e1a2b3c4d"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
WEB = {"image": "public.ecr.aws/nginx/nginx:1.27", "containerPort": 80}


def stack(lb: dict, services: dict | None = None, **network):
    return config(
        network={"cidrBlock": "10.20.0.0/16", "availabilityZones": 2, **network},
        loadBalancers={"public": lb},
        services=services
        if services is not None
        else {"web": {**WEB, "loadBalancer": {"name": "public"}}},
    )


def lb_ingress(plan):
    return [r for r in plan.of_type(INGRESS) if r.parent and "::public" in r.parent]


def test_alb_is_hardened_and_sits_in_the_public_subnets():
    plan = plan_config(stack({}))
    lb = only(plan, LB)
    assert lb.inputs["loadBalancerType"] == "application"
    assert lb.inputs["internal"] is False
    assert lb.inputs["dropInvalidHeaderFields"] is True
    assert lb.inputs["desyncMitigationMode"] == "defensive"
    assert lb.inputs["idleTimeout"] == 60
    assert lb.inputs["enableDeletionProtection"] is False
    assert lb.inputs["ipAddressType"] == "ipv4"
    public = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "public" in r.name}
    assert len(lb.inputs["subnets"]) == 2 and public <= set(lb.dependencies)
    assert "accessLogs" not in lb.inputs


def test_load_balancer_name_is_readable_deterministic_and_fits_32_characters():
    lb = only(plan_config(stack({})), LB)
    assert lb.inputs["name"] == "test-public"


@pytest.mark.parametrize(
    "parts",
    [
        ("prod", "public"),
        ("a-very-long-stack-name-for-testing", "public-facing-edge"),
        ("internal", "x"),
        ("Stack_Name.v2", "lb"),
    ],
)
def test_generated_names_fit_aws_rules(parts):
    name = aws_name(*parts)
    assert len(name) <= 32 and name == aws_name(*parts)
    assert not name.startswith(("internal-", "-")) and not name.endswith("-")
    assert all(c.isalnum() or c == "-" for c in name)


def test_target_group_prefix_fits_the_six_character_limit():
    assert name_prefix("web") == "web-"
    assert name_prefix("payments-api") == "payme-"
    assert all(len(name_prefix(k)) <= 6 for k in ("a", "abcdef", "a-b-c-d"))


def test_without_certificate_the_alb_serves_http_with_a_default_404():
    plan = plan_config(stack({}))
    (listener,) = plan.of_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    (action,) = listener.inputs["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "404"
    assert [r.inputs["fromPort"] for r in lb_ingress(plan)] == [80]


def test_with_certificate_https_uses_the_post_quantum_tls_policy_and_http_only_redirects():
    plan = plan_config(stack({"certificateArn": CERT}))
    https = plan.named("public-https", LISTENER)
    assert (https.inputs["port"], https.inputs["protocol"]) == (443, "HTTPS")
    assert (
        https.inputs["sslPolicy"]
        == DEFAULT_TLS_POLICY
        == ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
    )
    assert https.inputs["certificateArn"] == CERT
    assert https.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    http = plan.named("public-http", LISTENER)
    (redirect,) = http.inputs["defaultActions"]
    assert redirect["type"] == "redirect"
    assert redirect["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
    assert sorted(r.inputs["fromPort"] for r in lb_ingress(plan)) == [80, 443]


def test_service_rules_attach_to_the_https_listener_when_there_is_a_certificate():
    plan = plan_config(stack({"certificateArn": CERT}))
    rule = only(plan, "aws:lb/listenerRule:ListenerRule")
    assert plan.named("public-https", LISTENER).urn in rule.dependencies
    assert plan.named("public-http", LISTENER).urn not in rule.dependencies


def test_tls_policy_comes_from_config():
    policy = "ELBSecurityPolicy-TLS13-1-3-2021-06"
    plan = plan_config(stack({"certificateArn": CERT, "sslPolicy": policy}))
    assert plan.named("public-https", LISTENER).inputs["sslPolicy"] == policy


def test_internet_facing_lb_admits_the_internet_only_on_listener_ports_and_has_no_open_egress():
    plan = plan_config(stack({}))
    (rule,) = lb_ingress(plan)
    assert (rule.inputs["cidrIpv4"], rule.inputs["ipProtocol"]) == ("0.0.0.0/0", "tcp")
    egress = [
        r
        for r in plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.name.endswith("-lb-to-tasks")
    ]
    assert len(egress) == 1 and "cidrIpv4" not in egress[0].inputs
    assert egress[0].inputs["fromPort"] == egress[0].inputs["toPort"] == 80


def test_allowed_cidrs_restrict_who_may_connect():
    plan = plan_config(stack({"allowedCidrs": ["203.0.113.0/24", "198.51.100.0/24"]}))
    assert sorted(r.inputs["cidrIpv4"] for r in lb_ingress(plan)) == [
        "198.51.100.0/24",
        "203.0.113.0/24",
    ]


def test_internal_lb_sits_in_private_subnets_and_admits_only_the_vpc():
    plan = plan_config(stack({"internal": True}))
    lb = only(plan, LB)
    assert lb.inputs["internal"] is True
    private = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert private <= set(lb.dependencies)
    assert [r.inputs["cidrIpv4"] for r in lb_ingress(plan)] == ["10.20.0.0/16"]


def test_deletion_protection_and_idle_timeout_come_from_config():
    lb = only(plan_config(stack({"deletionProtection": True, "idleTimeoutSeconds": 120})), LB)
    assert lb.inputs["enableDeletionProtection"] is True and lb.inputs["idleTimeout"] == 120


def test_access_logs_go_to_a_private_encrypted_bucket_with_a_lifecycle_rule():
    plan = plan_config(stack({"accessLogs": {"retentionDays": 30}}))
    lb = only(plan, LB)
    assert lb.inputs["accessLogs"]["enabled"] is True
    assert lb.inputs["accessLogs"]["prefix"] == "public"
    policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy")
    assert policy.urn in lb.dependencies  # ELB checks its write access when logging starts
    block = only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block.inputs[k]
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    lifecycle = only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 30
    sse = only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_access_log_bucket_policy_lets_only_elb_write_and_denies_plain_http():
    plan = plan_config(stack({"accessLogs": {}}))
    doc = json.loads(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ElbLogDelivery"]["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }
    assert by_sid["ElbLogDeliveryRegionalAccount"]["Principal"] == {
        "AWS": "arn:aws:iam::600734575887:root"  # ap-northeast-2's ELB account
    }
    assert by_sid["ElbLogDelivery"]["Action"] == "s3:PutObject"
    assert by_sid["ElbLogDelivery"]["Resource"].endswith("/public/AWSLogs/123456789012/*")
    assert by_sid["DenyInsecureTransport"]["Effect"] == "Deny"


def test_nlb_access_logs_are_written_by_vended_log_delivery_for_this_account_only():
    cert = (
        "arn:aws:acm:ap-northeast-2:123456789012:certificate/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    )
    nlb = {"type": "network", "certificateArn": cert, "accessLogs": {}}
    plan = plan_config(stack(nlb, {"mqtt": {**WEB, "loadBalancer": {"name": "public"}}}))
    doc = json.loads(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert set(by_sid) == {"NlbLogDeliveryWrite", "NlbLogDeliveryAclCheck", "DenyInsecureTransport"}
    write, acl = by_sid["NlbLogDeliveryWrite"], by_sid["NlbLogDeliveryAclCheck"]
    assert write["Principal"] == acl["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert write["Action"] == "s3:PutObject" and acl["Action"] == "s3:GetBucketAcl"
    assert write["Resource"].endswith("/public/AWSLogs/123456789012/*")
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "123456789012",
        "s3:x-amz-acl": "bucket-owner-full-control",
    }
    assert acl["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:logs:ap-northeast-2:123456789012:*"
    }


def test_no_bucket_without_access_logs():
    assert plan_config(stack({})).of_type("aws:s3/bucket:Bucket") == []


def test_web_acl_is_associated_when_configured():
    acl = "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/shop/8a1b2c3d"
    plan = plan_config(stack({"webAclArn": acl}))
    association = only(plan, "aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["webAclArn"] == acl
    assert only(plan, LB).urn in association.dependencies


def test_nlb_is_created_with_its_security_group_and_cross_zone_on():
    plan = plan_config(
        stack(
            {"type": "network"},
            {"mq": {**WEB, "containerPort": 1883, "loadBalancer": {"name": "public"}}},
        )
    )
    lb = only(plan, LB)
    assert lb.inputs["loadBalancerType"] == "network"
    assert len(lb.inputs["securityGroups"]) == 1
    assert lb.inputs["enableCrossZoneLoadBalancing"] is True
    assert "dropInvalidHeaderFields" not in lb.inputs


def test_nlb_listener_per_service_is_tcp_or_tls_with_the_tls_policy():
    services = {
        "mq": {
            **WEB,
            "containerPort": 1883,
            "loadBalancer": {"name": "public", "listenerPort": 8883},
        }
    }
    plain = plan_config(stack({"type": "network"}, services))
    listener = only(plain, LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (8883, "TCP")
    assert listener.inputs["defaultActions"][0]["type"] == "forward"
    tls = only(plan_config(stack({"type": "network", "certificateArn": CERT}, services)), LISTENER)
    assert tls.inputs["protocol"] == "TLS" and tls.inputs["sslPolicy"] == DEFAULT_TLS_POLICY
    rules = [r for r in plain.of_type(INGRESS) if r.name == "mq-lb-8883"]
    assert [r.inputs["fromPort"] for r in rules] == [8883]


def test_existing_listener_creates_no_load_balancer_and_services_attach_rules_to_it():
    listener_arn = (
        "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:"
        "listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2"
    )
    existing = {
        "existing": {"listenerArn": listener_arn, "securityGroupId": "sg-0123456789abcdef0"}
    }
    plan = plan_config(
        stack(
            existing,
            {
                "web": {
                    **WEB,
                    "loadBalancer": {"name": "public", "hostHeaders": ["shop.example.com"]},
                }
            },
        )
    )
    assert plan.of_type(LB) == [] and plan.of_type(LISTENER) == []
    rule = only(plan, "aws:lb/listenerRule:ListenerRule")
    assert rule.inputs["listenerArn"] == listener_arn
    ingress = plan.named("web-from-lb", INGRESS)
    assert ingress.inputs["referencedSecurityGroupId"] == "sg-0123456789abcdef0"
    assert plan.outputs["services"]["web"]["url"] == "https://shop.example.com/"


def alb_services(count: int, blue_green: int = 0) -> dict:
    """`count` services on the ALB `public`, each on its own path; the first `blue_green` of
    them deploy BLUE_GREEN (one more listener rule each: the test rule)."""
    return {
        f"svc{i}": {
            **WEB,
            "loadBalancer": {"name": "public", "pathPatterns": [f"/svc{i}/*"]},
            **({"deployment": {"strategy": "BLUE_GREEN"}} if i < blue_green else {}),
        }
        for i in range(count)
    }


def parse(cfg: dict):
    return parse_stack_config(cfg, stack="test", source="Pulumi.test.yaml", project_defaults={})


def test_an_alb_takes_up_to_the_default_quota_of_100_rules():
    parse(stack({}, alb_services(100)))
    parse(stack({}, alb_services(90, blue_green=10)))


@pytest.mark.parametrize(("services", "blue_green"), [(101, 0), (91, 10)])
def test_more_rules_than_the_alb_quota_are_refused_naming_the_quota_and_that_it_adjusts(
    services, blue_green
):
    with pytest.raises(ConfigError) as info:
        parse(stack({}, alb_services(services, blue_green)))
    assert info.value.path == "loadBalancers.public"
    assert info.value.message == (
        f"101 listener rules ({services} services, {blue_green} blue/green test rules) exceed "
        "ruleQuota 100; AWS allows 100 rules per Application Load Balancer by default, not "
        "counting default rules (a quota adjustable through Service Quotas); spread the services "
        "over more loadBalancers, or set ruleQuota to your account's raised quota"
    )


def test_an_account_with_a_raised_rule_quota_says_so_and_is_held_to_it():
    parse(stack({"ruleQuota": 150}, alb_services(150)))
    with pytest.raises(ConfigError) as info:
        parse(stack({"ruleQuota": 150}, alb_services(141, blue_green=10)))
    assert info.value.message.startswith("151 listener rules (141 services, 10 blue/green")
    assert "exceed ruleQuota 150" in info.value.message
