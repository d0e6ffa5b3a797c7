"""ECS vs EKS for the same services: cost, deploy time and Kubernetes manifests
(`python -m offline compare-eks`; docs/eks-comparison.md)."""
