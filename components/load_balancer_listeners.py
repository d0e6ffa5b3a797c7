"""The listeners an application load balancer owns: a default 404, and HTTPS when it can.

Creates (children of the LoadBalancer): with a certificate, the HTTPS listener `{name}-https`
on 443 (the configured ELB TLS policy, default action 404) and the HTTP listener `{name}-http`
on 80 that only redirects (301) to HTTPS; without one (dev), the HTTP listener `{name}-http`
with the default 404. Services add their rules to the listener this returns. A network load
balancer's listeners belong to the services they forward to.
Expects: the load balancer and its spec (certificate, TLS policy).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .specs.load_balancer import LoadBalancerSpec

NOT_FOUND = aws.lb.ListenerDefaultActionArgs(
    type="fixed-response",
    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
        content_type="text/plain", message_body="Not Found", status_code="404"
    ),
)
TO_HTTPS = aws.lb.ListenerDefaultActionArgs(
    type="redirect",
    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
        protocol="HTTPS", port="443", status_code="HTTP_301"
    ),
)


def alb_listeners(
    parent: pulumi.Resource, name: str, spec: LoadBalancerSpec, lb: aws.lb.LoadBalancer
) -> pulumi.Output[str]:
    """Create the listeners; the ARN of the one services add their rules to."""
    child = pulumi.ResourceOptions(parent=parent)
    if not spec.https:
        return _http(name, lb, NOT_FOUND, child).arn
    https = aws.lb.Listener(
        f"{name}-https",
        load_balancer_arn=lb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=spec.ssl_policy,
        certificate_arn=spec.certificate_arn,
        default_actions=[NOT_FOUND],
        opts=child,
    )
    _http(name, lb, TO_HTTPS, child)
    return https.arn


def _http(
    name: str,
    lb: aws.lb.LoadBalancer,
    action: aws.lb.ListenerDefaultActionArgs,
    opts: pulumi.ResourceOptions,
) -> aws.lb.Listener:
    return aws.lb.Listener(
        f"{name}-http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[action],
        opts=opts,
    )
