"""ecs-platform components: typed stack config and the Pulumi ComponentResources built from it."""
