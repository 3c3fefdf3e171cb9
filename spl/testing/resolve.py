"""Where a test's ``attack_data`` file is on this machine: a local clone, the cache, or a download.

A URL of splunk/attack_data names a path in that repository; with ``--attack-data DIR`` it is read
from ``DIR/<path>`` (no network). Any other file is downloaded once into the cache and reused. A
file that is only a Git LFS pointer (the clone was made without ``git lfs pull``) is reported as
such instead of being read as data.
"""
from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from spl.errors import DataError

LFS_SIGNATURE = b"version https://git-lfs.github.com/spec/v1"

# The forms under which GitHub serves a file of splunk/attack_data at a branch or commit:
#   https://media.githubusercontent.com/media/splunk/attack_data/<ref>/<path>   (LFS content)
#   https://raw.githubusercontent.com/splunk/attack_data/<ref>/<path>
#   https://github.com/splunk/attack_data/{raw,blob}/<ref>/<path>
# where <ref> is one segment (master, a commit) or refs/heads/<branch>.
_REF = r"(?:refs/heads/[^/]+|[^/]+)"
_ATTACK_DATA = [
    re.compile(rf"^https?://media\.githubusercontent\.com/media/splunk/attack_data/{_REF}/(.+)$"),
    re.compile(rf"^https?://raw\.githubusercontent\.com/splunk/attack_data/{_REF}/(.+)$"),
    re.compile(rf"^https?://github\.com/splunk/attack_data/(?:raw|blob)/{_REF}/(.+)$"),
]
MEDIA_URL = "https://media.githubusercontent.com/media/splunk/attack_data/master/"


class Unavailable(DataError):
    """The file exists somewhere but cannot be had here (offline, or only an LFS pointer).

    Not a failure of the detection: the test is reported as not run.
    """

    kind = "unavailable"


def attack_data_path(url: str) -> str | None:
    """The path inside splunk/attack_data that ``url`` names, or None for any other URL."""
    for pattern in _ATTACK_DATA:
        m = pattern.match(url.strip())
        if m:
            return m.group(1).split("?", 1)[0].split("#", 1)[0]
    return None


def default_cache() -> Path:
    """$XDG_CACHE_HOME/spl, or ~/.cache/spl."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "spl"


def is_lfs_pointer(path: Path) -> bool:
    """True when the file holds a Git LFS pointer instead of the content it stands for."""
    with open(path, "rb") as fh:
        return fh.read(len(LFS_SIGNATURE)) == LFS_SIGNATURE


def _is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


class Resolver:
    """Turns ``data:`` entries into local files, downloading at most once per URL.

    ``progress`` is a rich Console to draw download bars on, or None for silence.
    """

    def __init__(self, attack_data: str | os.PathLike | None = None,
                 cache: str | os.PathLike | None = None, offline: bool = False, progress=None):
        self.attack_data = Path(attack_data) if attack_data else None
        self.cache = Path(cache) if cache else default_cache()
        self.offline = offline
        self.progress = progress
        self.downloads = 0

    def resolve(self, data: str, base: Path) -> Path:
        """The local file for one ``data:`` value; ``base`` is the detection file's directory.

        Raises Unavailable (offline, LFS pointer) or DataError (no such file, download failed).
        """
        data = str(data).strip()
        if _is_url(data):
            path = self._from_url(data)
        else:
            path = Path(data).expanduser()
            if not path.is_absolute():
                path = base / path
            if not path.is_file():
                raise DataError("attack data file not found", file=str(path))
        try:
            pointer = is_lfs_pointer(path)
        except OSError as exc:
            raise DataError(f"cannot read attack data: {exc.strerror}", file=str(path)) from None
        if pointer:
            raise Unavailable("only a Git LFS pointer, not the data (run `git lfs pull` in the "
                              "attack_data clone)", file=str(path))
        return path

    def _from_url(self, url: str) -> Path:
        repo_path = attack_data_path(url)
        if repo_path is not None and self.attack_data is not None:
            local = self.attack_data / repo_path
            if local.is_file():
                return local
        if repo_path is not None:
            # Cached files mirror the repository's layout, so the cache can serve as --attack-data.
            target = self.cache / "attack_data" / repo_path
            source = MEDIA_URL + repo_path
        else:
            digest = hashlib.sha256(url.encode()).hexdigest()[:16]
            name = Path(urlparse(url).path).name or "data"
            target = self.cache / "url" / digest / name
            source = url
        if target.is_file():
            return target
        if self.offline:
            where = " nor under --attack-data" if repo_path and self.attack_data else ""
            raise Unavailable(f"not available offline: {url} is not in the cache{where}")
        self._download(source, target)
        return target

    def _download(self, url: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".part{os.getpid()}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                total = response.headers.get("Content-Length")
                self._copy(response, partial, int(total) if total and total.isdigit() else None,
                           target.name)
            if is_lfs_pointer(partial):
                raise Unavailable(f"{url} serves a Git LFS pointer, not the data")
            partial.replace(target)
            self.downloads += 1
        except urllib.error.HTTPError as exc:
            raise DataError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise DataError(f"cannot download {url}: {reason}") from None
        finally:
            partial.unlink(missing_ok=True)

    def _copy(self, response, partial: Path, total: int | None, label: str) -> None:
        with open(partial, "wb") as out:
            if self.progress is None:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                return
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TransferSpeedColumn,
            )

            with Progress(TextColumn("downloading {task.description}"), BarColumn(),
                          DownloadColumn(), TransferSpeedColumn(), console=self.progress,
                          transient=True) as bar:
                task = bar.add_task(label, total=total)
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    bar.advance(task, len(chunk))
