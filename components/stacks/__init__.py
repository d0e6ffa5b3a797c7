"""The program's stack shapes, chosen by `ecs-platform:stackKind` in `__main__.py`.

- `single`: network, cluster, load balancers and every workload in one stack (the default).
- `platform`: network, cluster, shared load balancers, the teams' grants; exports `platform`.
- `service`: one team's workloads on a platform stack (StackReference) or on an existing
  cluster and ALB listener (brownfield), through the adapters of `platform_view`.
- `exports`: the stack outputs the shapes share.
"""
