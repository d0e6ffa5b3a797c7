"""Copilot `storage` -> ephemeral storage, a read-only root file system, scratch paths
(writablePaths) and EFS volumes given by file system ID (efsVolumes)."""

from __future__ import annotations

import re
from typing import Any

from ..common import resource_key
from .context import Workload
from .report import describe
from .tables import EPHEMERAL_GIB, STORAGE_KEYS


def storage(w: Workload, spec: dict[str, Any], config: str) -> None:
    """Map the workload's storage into `spec`; `config` names its shape in findings."""
    found = w.doc.get("storage") or {}
    ephemeral = found.get("ephemeral")
    included, most = EPHEMERAL_GIB
    if isinstance(ephemeral, int) and ephemeral > included:
        spec["ephemeralStorageGib"] = min(ephemeral, most)
    if found.get("readonly_fs") is True:
        spec["readonlyRootFilesystem"] = True
    writable: list[str] = []
    efs: list[dict[str, Any]] = []
    for name, volume in (found.get("volumes") or {}).items():
        at = f"storage.volumes.{name}"
        if not isinstance(volume, dict) or not volume.get("path"):
            w.add("unmapped", at, "no path")
            continue
        if not volume.get("efs"):
            writable.append(str(volume["path"]))
            continue
        mount = _efs_volume(w, at, str(name), volume)
        if mount is not None:
            efs.append(mount)
    if writable:
        spec["writablePaths"] = writable
    if efs:
        spec["efsVolumes"] = efs
    for key in found:
        if key not in STORAGE_KEYS:
            w.add("unmapped", f"storage.{key}", f"not in the {config} config")


def _efs_volume(w: Workload, at: str, name: str, volume: dict[str, Any]) -> dict[str, Any] | None:
    """An efsVolumes entry for a volume on an existing file system; None (reported) otherwise."""
    source = volume["efs"]
    if source is True:
        w.add(
            "unmapped",
            at,
            "Copilot-managed EFS: create a file system (or keep "
            "Copilot's until the data moves) and add efsVolumes with its ID",
        )
        return None
    fs_id = source.get("id") if isinstance(source, dict) else None
    if not isinstance(fs_id, str) or not re.match(r"^fs-[0-9a-f]{8,17}$", fs_id):
        w.add(
            "unmapped",
            at,
            f"EFS id {describe(fs_id)}: give the file system ID (fs-...) in efsVolumes",
        )
        return None
    mount: dict[str, Any] = {
        "name": resource_key(name),
        "fileSystemId": fs_id,
        "containerPath": str(volume["path"]),
    }
    if source.get("root_dir"):
        mount["rootDirectory"] = str(source["root_dir"])
    access_point = (source.get("auth") or {}).get("access_point_id")
    if access_point:
        mount["accessPointId"] = str(access_point)
    if volume.get("read_only"):
        mount["readOnly"] = True
    return mount
