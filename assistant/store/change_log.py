"""The record of corpus changes and the corpus generation every worker follows.

Every upload, replacement, retirement and re-index is one row (who, when, what) and moves the
generation on in the same transaction; each worker and host polls the generation (one indexed
single-row read) and reloads its index when it moved (service.follow.CorpusFollower)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from assistant.store.database import Database
from assistant.store.schema import corpus_changes_table, corpus_generation_table


class ChangeLog:
    """Record corpus changes; read them back and the generation they moved the corpus to."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, doc_id: str, action: str, who: str, detail: dict[str, Any]) -> int:
        """One change to the corpus (upload, replace, retire, reindex); return the new generation."""
        with self.recording(doc_id, action, who, detail) as generation:
            return generation

    @contextmanager
    def recording(self, doc_id: str, action: str, who: str, detail: dict[str, Any]) -> Iterator[int]:
        """Record one change, running the block after the row is written and before it commits.

        The block is where the change happens outside the database (the console renames the
        corpus files into place and swaps the index stamp there): if it raises, the row is
        rolled back with it; if it returns, the transaction commits, and a commit that fails
        raises after the block has run, so the caller undoes what the block did. Yields the
        generation the commit moves the corpus to."""
        now = time.time()
        with self.db.connection(write=True) as conn:
            conn.execute(
                corpus_changes_table.insert().values(
                    doc_id=doc_id,
                    action=action,
                    who=who,
                    detail=json.dumps(detail, ensure_ascii=False),
                    created=now,
                )
            )
            table = corpus_generation_table
            # An UPDATE of the one row, so two hosts changing the corpus at once queue on its lock.
            bumped = conn.execute(
                table.update().where(table.c.id == 1).values(generation=table.c.generation + 1, updated=now)
            )
            if bumped.rowcount == 0:
                conn.execute(table.insert().values(id=1, generation=1, updated=now))
            yield int(conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar_one())

    def generation(self) -> int:
        """How many corpus changes the store has seen: cheap enough for every worker to poll."""
        table = corpus_generation_table
        with self.db.connection() as conn:
            value = conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar()
        return int(value or 0)

    def recent(self, doc_id: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Corpus changes, newest first (of one document when `doc_id` is given)."""
        query = sa.select(corpus_changes_table).order_by(corpus_changes_table.c.id.desc()).limit(limit)
        if doc_id is not None:
            query = query.where(corpus_changes_table.c.doc_id == doc_id)
        with self.db.connection() as conn:
            rows = conn.execute(query).all()
        out = []
        for row in rows:
            item = dict(row._mapping)
            item["detail"] = json.loads(item["detail"])
            out.append(item)
        return out
