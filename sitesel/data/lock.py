"""Lock files: data without a published checksum is pinned on first download.

A catalog layer with a public address but no sha256 (a Copernicus GLO-30 tile, an Overpass
answer) cannot be checked against the catalog. The first time sitesel downloads it, its
sha256 is written to ``<catalog>.lock`` beside the catalog (``layers/teghra.lock`` for
``layers/teghra.yaml``); every later download of it, on any machine sharing the lock, must
give the same bytes or the run stops naming both checksums. ``--refresh`` accepts what the
source serves now and rewrites the lock.

What this guarantees: a study re-run elsewhere reads the data the lock was made with, or
refuses. What it does not: that the first download was right (check it), or that a file
already in the data folder before the lock existed is the one a download would give
(local files are checked only once the lock names them).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sitesel.errors import ChecksumError, ConfigError

HEADER = (
    "# sitesel lock file: the sha256 of data whose catalog gives none, recorded when it was\n"
    "# first downloaded. Later downloads must match; `sitesel run --refresh` accepts new data.\n"
)


@dataclass
class LockFile:
    """The checksums pinned for one catalog, by file path or Overpass query.

    Attributes
    ----------
    path
        The lock file (``<catalog>.lock``).
    entries
        Key (a file's path in the data folder, or ``overpass:<layer>:<bbox>``) -> sha256.
    refresh
        Accept new data: recorded checksums are replaced, not checked.
    """

    path: Path
    entries: dict[str, str] = field(default_factory=dict)
    refresh: bool = False

    @classmethod
    def beside(cls, catalog_path: Path, *, refresh: bool = False) -> LockFile:
        """The lock of a catalog, read if it exists.

        Raises
        ------
        ConfigError
            If the lock file is not a mapping of keys to sha256 values.
        """
        path = catalog_path.with_suffix(".lock")
        if not path.is_file():
            return cls(path, {}, refresh)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not a readable lock file ({exc})") from None
        entries = data.get("sha256") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in entries.items()
        ):
            raise ConfigError(
                f"{path}: expected 'sha256:' mapping each file to 64 hex digits; delete the"
                " file (or run with --refresh) to record the data again"
            )
        return cls(path, dict(entries), refresh)

    def expected(self, key: str) -> str | None:
        """The checksum the lock pins for ``key`` (None when unlocked or refreshing)."""
        return None if self.refresh else self.entries.get(key)

    def verify(self, key: str, got: str, what: str) -> None:
        """Refuse data that differs from what the lock pinned (nothing is recorded).

        Raises
        ------
        ChecksumError
            Naming both checksums and how to accept the new data.
        """
        expected = self.expected(key)
        if expected is not None and got != expected:
            raise ChecksumError(
                f"{what}: sha256 {got} differs from {expected} recorded in {self.path} when"
                " it was first downloaded; the source changed. Check the new data, then accept"
                " it with --refresh"
            )

    def check(self, key: str, got: str, what: str) -> None:
        """Refuse data that differs from what the lock pinned; record it if unpinned.

        Raises
        ------
        ChecksumError
            Naming both checksums and how to accept the new data.
        """
        self.verify(key, got, what)
        if self.entries.get(key) != got:
            self.entries[key] = got
            self.save()

    def save(self) -> None:
        """Write the lock in one step (a temporary file renamed over it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = HEADER + yaml.safe_dump({"sha256": dict(sorted(self.entries.items()))})
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, self.path)
