"""The shape checks' botocore shapes come from a small cache that agrees with botocore's model."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.model import NoShapeFoundError, ServiceModel

from offline import shape_models, shapes

NAMES = [
    ("ecs", "ContainerDefinitions"),
    ("ecs", "DeploymentStrategy"),
    ("elbv2", "HealthCheckIntervalSeconds"),
    ("ec2", "LaunchTemplateHttpTokensState"),
    ("scheduler", "ScheduleExpressionTimezone"),
]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(shape_models, "CACHE_DIR", tmp_path / "cache")
    shape_models._shape.cache_clear()
    shape_models._full.cache_clear()
    yield tmp_path / "cache"
    shape_models._shape.cache_clear()
    shape_models._full.cache_clear()


def _described(shp: Any, seen: set[str] | None = None) -> Any:
    """Everything validation reads from a shape, recursively (cycles cut by name)."""
    seen = set() if seen is None else seen
    if shp.name in seen:
        return shp.name
    seen = seen | {shp.name}
    out: dict[str, Any] = {
        "name": shp.name,
        "type": shp.type_name,
        "metadata": dict(shp.metadata),
    }
    if shp.type_name == "structure":
        out["required"] = list(shp.required_members)
        out["members"] = {k: _described(v, seen) for k, v in shp.members.items()}
    elif shp.type_name == "list":
        out["member"] = _described(shp.member, seen)
    elif shp.type_name == "map":
        out["key"] = _described(shp.key, seen)
        out["value"] = _described(shp.value, seen)
    return out


@pytest.mark.parametrize(("service", "name"), NAMES)
def test_a_cached_shape_is_botocores_shape(cache_dir, service, name):
    first = shape_models.shape(service, name)  # loads the model, writes the cache
    shape_models._shape.cache_clear()
    again = shape_models.shape(service, name)  # from the cache file
    full = ServiceModel(Loader().load_service_model(service, "service-2"), service)
    assert _described(first) == _described(again) == _described(full.shape_for(name))
    assert (cache_dir / f"{service}.json").exists()


def test_a_shape_in_the_cache_needs_no_botocore_model(cache_dir, monkeypatch):
    shape_models.shape("ecs", "NetworkMode")
    shape_models._shape.cache_clear()
    shape_models._full.cache_clear()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("loaded the full model")

    monkeypatch.setattr(Loader, "load_service_model", refuse)
    assert shape_models.shape("ecs", "NetworkMode").enum == ["bridge", "host", "awsvpc", "none"]


def test_a_shape_the_cache_lacks_joins_it_beside_the_others(cache_dir):
    shape_models.shape("ecs", "NetworkMode")
    shape_models._shape.cache_clear()
    shape_models.shape("ecs", "LaunchType")
    cached = shape_models._cached("ecs")
    assert cached is not None and {"NetworkMode", "LaunchType"} <= set(cached["shapes"])


def test_a_broken_or_unwritable_cache_costs_only_the_full_load(cache_dir, monkeypatch):
    cache_dir.mkdir()
    (cache_dir / "ecs.json").write_text("{not json")
    assert shape_models.shape("ecs", "NetworkMode").type_name == "string"
    shape_models._shape.cache_clear()
    blocked = cache_dir / "a-file"
    blocked.write_text("")
    monkeypatch.setattr(shape_models, "CACHE_DIR", blocked / "cache")  # cannot be created
    assert shape_models.shape("ecs", "LaunchType").type_name == "string"
    assert not list(cache_dir.rglob("*.tmp"))


def test_an_unknown_shape_fails_as_botocore_fails(cache_dir):
    with pytest.raises(NoShapeFoundError):
        shape_models.shape("ecs", "NoSuchShape")


def test_checks_report_the_same_errors_from_the_cache(cache_dir):
    bad = {"networkMode": "bridged", "requiresCompatibilities": ["FARGATE", "LAMBDA"]}
    first = shapes.check_resource("aws:ecs/taskDefinition:TaskDefinition", bad, "td")
    shape_models._shape.cache_clear()
    assert shapes.check_resource("aws:ecs/taskDefinition:TaskDefinition", bad, "td") == first
    assert len(first) == 2
