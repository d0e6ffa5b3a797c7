"""Amazon EKS Fargate pod sizing: what a pod's resource requests are billed as.

Rule (https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html): the
requests of the long-running containers are summed (the largest init container counts if it is
larger), 256 MB is added for the Kubernetes components (kubelet, kube-proxy, containerd), and
the result is rounded up to the next vCPU/memory combination Fargate offers. A pod without
requests gets the smallest combination, 0.25 vCPU and 0.5 GB. EKS Fargate runs x86 only and has
no Spot (https://docs.aws.amazon.com/eks/latest/userguide/fargate.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import data


@dataclass(frozen=True)
class PodSize:
    vcpu: float
    memory_gb: float
    requested_vcpu: float  # what the containers asked for
    requested_mib: int  # containers' memory plus the Kubernetes components' 256 MB

    def describe(self) -> str:
        return (
            f"{self.vcpu:g} vCPU / {self.memory_gb:g} GB (requests {self.requested_vcpu:g} vCPU, "
            f"{self.requested_mib} MiB with the 256 MB Kubernetes reservation)"
        )


class FargateSizeError(ValueError):
    """No Fargate combination holds the pod."""


def pod_size(cpu_milli: int, memory_mib: int, init: tuple[int, int] = (0, 0)) -> PodSize:
    """The Fargate combination a pod with these summed requests is billed as."""
    cpu = max(cpu_milli, init[0])
    mem = max(memory_mib, init[1])
    if cpu == 0 and mem == 0:
        smallest_vcpu, options = data.fargate_sizes()[0]
        return PodSize(smallest_vcpu, options[0], 0.0, data.fargate_reserved_mib())
    need_vcpu = cpu / 1000
    need_mib = mem + data.fargate_reserved_mib()
    need_gb = need_mib / 1024
    for vcpu, options in data.fargate_sizes():
        if vcpu + 1e-9 < need_vcpu:
            continue
        for gb in options:
            if gb + 1e-9 >= need_gb:
                return PodSize(vcpu, gb, need_vcpu, need_mib)
    raise FargateSizeError(
        f"{need_vcpu:g} vCPU / {need_mib} MiB is above the largest Fargate pod (16 vCPU, 120 GB)"
    )
