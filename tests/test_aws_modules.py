"""A resource class taken from its own module is the package's class, without the package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    """A fresh interpreter: which modules a first use loads depends on what ran before."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_waf_association_loads_without_wafv2s_rule_types_and_is_the_same_class():
    out = _run(
        """
        import sys
        from components.aws_modules import resource_class
        cls = resource_class("wafv2", "web_acl_association", "WebAclAssociation")
        print("pulumi_aws.wafv2._inputs" in sys.modules, cls.__name__)
        import pulumi_aws as aws
        print(aws.wafv2.WebAclAssociation is cls, "pulumi_aws.wafv2._inputs" in sys.modules)
        """
    )
    assert out.splitlines() == ["False WebAclAssociation", "True True"]


def test_a_class_whose_module_is_not_found_comes_from_its_package():
    out = _run(
        """
        from components.aws_modules import resource_class
        import pulumi_aws as aws
        cls = resource_class("wafv2", "not_a_module", "WebAclAssociation")
        print(cls is aws.wafv2.WebAclAssociation)
        """
    )
    assert out == "True"


def test_a_loaded_package_gives_its_own_class():
    out = _run(
        """
        import pulumi_aws as aws
        from components.aws_modules import resource_class
        package_class = aws.wafv2.WebAclAssociation
        print(resource_class("wafv2", "web_acl_association", "WebAclAssociation") is package_class)
        """
    )
    assert out == "True"


def test_a_load_balancer_with_a_web_acl_plans_without_wafv2s_rule_types():
    out = _run(
        """
        import sys
        from tests.support import config, plan_config
        acl = "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/shop/8a1b2c3d"
        web = {"image": "public.ecr.aws/nginx/nginx:1.27", "containerPort": 80,
               "loadBalancer": {"name": "public"}}
        plan = plan_config(config(loadBalancers={"public": {"type": "application",
                                                           "webAclArn": acl}},
                                  services={"web": web}))
        found = plan.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
        print(len(found), "pulumi_aws.wafv2._inputs" in sys.modules)
        """
    )
    assert out == "1 False"
