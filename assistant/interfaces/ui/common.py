"""What every tab of the web UI shares: where generated files go.

Downloads (drafts, profiles, the review queue's XLSX) are written under one temporary folder
per process, a fresh sub-folder per file set so names never clash between users; anything older
than ``OUTPUT_TTL_SECONDS`` is removed when the next one is written, so they never accumulate.
Gradio copies a returned file into its own cache (pruned by the Blocks' ``delete_cache``), so
the originals are only needed until the response is sent.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

#: Generated files older than this are removed when the next one is written.
OUTPUT_TTL_SECONDS = 3600


class Outputs:
    """One temporary folder per process for generated downloads, pruned as it is used."""

    def __init__(self, ttl_seconds: float = OUTPUT_TTL_SECONDS) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="assistant-ui-"))
        self.ttl_seconds = ttl_seconds

    def fresh(self) -> Path:
        """A new, empty folder for one file set; old ones are pruned on the way."""
        now = time.time()
        for old in self.root.iterdir():
            try:
                if now - old.stat().st_mtime > self.ttl_seconds:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=self.root))
