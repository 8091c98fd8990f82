"""The files one corpus change writes, applied by renames that can be undone.

Writing is the part that fails (a full disk, a quota), so `prepare` writes every new file
beside its target, flushed to the disk, under a name the corpus loader ignores, before the
change's commit point. `apply`, inside the commit, only renames: a file being replaced or removed
is first set aside under a second name (``.<name>.<token>.old``: the same file, so putting it
back is byte for byte; a hard link when a new file replaces it, so a reader never finds the name
missing), then the new file is renamed into place, and the folders are flushed. `undo` puts every
file back in reverse order; `finish`, once the change has committed, deletes what was set aside.

A worker killed in the milliseconds between `apply` and the commit leaves the new file in place
and the old one beside it under its ``.old`` name, with no change-log row: rename it back
(docs/operations.md, "Corpus changes")."""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from assistant.knowledge.ingest import write_beside


@dataclass
class _Edit:
    target: Path
    data: bytes | None  # None: the file is removed
    temp: Path | None = None
    aside: Path | None = None
    placed: bool = False


def _set_aside(target: Path, aside: Path, *, keep: bool) -> None:
    """Give `target`'s file a second name `aside`. When a new file replaces it (`keep`), by a
    hard link, so the rename of the new one over it is atomic and a reader never finds the
    name missing; when it is removed, or the file system has no hard links, by a rename."""
    if keep:
        try:
            os.link(target, aside)
            return
        except OSError:
            pass
    os.replace(target, aside)


def _flush_folder(folder: Path) -> None:
    """Make the renames in `folder` durable before the change-log row says they happened."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileEdits:
    """Files to write into, or remove from, the folder `root` (paths relative to it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._edits: list[_Edit] = []
        self._made: list[Path] = []
        self._token = uuid.uuid4().hex[:8]

    def write(self, relative: str, data: bytes) -> None:
        self._edits.append(_Edit(self.root / relative, data))

    def remove(self, relative: str) -> None:
        self._edits.append(_Edit(self.root / relative, None))

    def prepare(self) -> None:
        """Write every new file beside its target (the fallible part: before the commit)."""
        for edit in self._edits:
            if edit.data is None:
                continue
            if not edit.target.parent.is_dir():
                edit.target.parent.mkdir(parents=True)
                self._made.append(edit.target.parent)
            edit.temp = write_beside(edit.target, edit.data)

    def apply(self) -> None:
        """Rename the old files aside and the new ones into place (inside the commit)."""
        for edit in self._edits:
            if edit.target.exists():
                aside = edit.target.with_name(f".{edit.target.name}.{self._token}.old")
                _set_aside(edit.target, aside, keep=edit.temp is not None)
                edit.aside = aside
            if edit.temp is not None:
                os.replace(edit.temp, edit.target)
                edit.temp, edit.placed = None, True
        for folder in sorted({edit.target.parent for edit in self._edits}):
            _flush_folder(folder)

    def undo(self) -> None:
        """Put every file back as it was, newest edit first; raise the first OSError met (after
        trying every file), which leaves the folder changed: the caller must say so."""
        failed: OSError | None = None
        for edit in reversed(self._edits):
            try:
                if edit.aside is not None:
                    os.replace(edit.aside, edit.target)  # over the new file, if any: atomic
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(edit.aside)  # left when both names were still one file
                    edit.aside = None
                elif edit.placed:
                    os.unlink(edit.target)
                edit.placed = False
            except OSError as exc:
                failed = failed or exc
        self.discard()
        if failed is not None:
            raise failed

    def discard(self) -> None:
        """Remove the files written but never renamed into place, and the folders made for them."""
        for edit in self._edits:
            if edit.temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(edit.temp)
                edit.temp = None
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        self._made.clear()

    def finish(self) -> None:
        """Delete the old files set aside (after the commit; a leftover is harmless)."""
        for edit in self._edits:
            if edit.aside is not None:
                with contextlib.suppress(OSError):
                    os.unlink(edit.aside)
                edit.aside = None
