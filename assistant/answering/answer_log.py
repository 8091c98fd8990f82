"""The answer log and what is said about it: feedback, operators' review marks, and the record
of corpus changes with the corpus generation every worker follows.

What a helpdesk and the operator console read; apart from sessions.py because none of it needs a
session (a sessionless answer is logged too) and it grows with the console, not the conversation."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assistant.answering.store_engine import UNAVAILABLE, StoreBase
from assistant.answering.store_schema import (
    answer_reviews_table,
    answers_table,
    corpus_changes_table,
    corpus_generation_table,
    feedback_table,
)
from assistant.errors import NotFoundError, StoreUnavailableError


@dataclass
class AnswerRecord:
    """One row of the answer log: what a helpdesk reviews."""

    answer_id: str
    question: str
    lead: str
    answer: str
    mode: str
    latency_ms: float
    citations: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    session_id: str | None = None
    intent: str = ""
    edition: str = ""


class AnswerLog(StoreBase):
    """Log answers, take feedback and review marks, record corpus changes."""

    @staticmethod
    def _insert_answer(conn: Connection, record: AnswerRecord) -> None:
        conn.execute(
            answers_table.insert().values(
                answer_id=record.answer_id,
                session_id=record.session_id,
                question=record.question,
                lead=record.lead,
                answer=record.answer,
                citations=json.dumps(record.citations, ensure_ascii=False),
                mode=record.mode,
                intent=record.intent,
                edition=record.edition,
                latency_ms=round(record.latency_ms, 1),
                flags=json.dumps(record.flags, ensure_ascii=False),
                created=time.time(),
            )
        )

    def log_answer(self, record: AnswerRecord) -> None:
        """Add an answer to the log (a turn with a session goes through `record_turn`)."""
        with self._connection(write=True) as conn:
            self._insert_answer(conn, record)

    @staticmethod
    def _logged(conn: Connection, answer_id: str) -> bool:
        query = sa.select(answers_table.c.answer_id).where(answers_table.c.answer_id == answer_id)
        return conn.execute(query).first() is not None

    def answer_exists(self, answer_id: str) -> bool:
        with self._connection() as conn:
            return self._logged(conn, answer_id)

    def answer(self, answer_id: str) -> dict[str, Any] | None:
        """One logged answer with its feedback (one entry per key), or None."""
        with self._connection() as conn:
            row = conn.execute(sa.select(answers_table).where(answers_table.c.answer_id == answer_id)).first()
            if row is None:
                return None
            votes = conn.execute(
                sa.select(feedback_table.c.key, feedback_table.c.rating, feedback_table.c.comment)
                .where(feedback_table.c.answer_id == answer_id)
                .order_by(feedback_table.c.id)
            ).all()
        out = dict(row._mapping)
        out["citations"] = json.loads(out["citations"])
        out["flags"] = json.loads(out["flags"])
        out["feedback"] = [{"key": k, "rating": r, "comment": c} for k, r, c in votes]
        return out

    def recent_answers(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._connection() as conn:
            ids = conn.execute(
                sa.select(answers_table.c.answer_id).order_by(answers_table.c.created.desc()).limit(limit)
            ).scalars()
            wanted = list(ids)
        return [a for a in (self.answer(i) for i in wanted) if a is not None]

    def add_feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per (answer, key): a second vote replaces the first. Unknown answer → 404."""
        key = key or "anonymous"
        now = time.time()
        for _attempt in range(2):
            with self._connection(write=True) as conn:
                if not self._logged(conn, answer_id):
                    raise NotFoundError(f"没有编号为 {answer_id} 的回答，无法提交反馈")
                existing = conn.execute(
                    sa.select(feedback_table.c.id).where(
                        feedback_table.c.answer_id == answer_id, feedback_table.c.key == key
                    )
                ).first()
                if existing is not None:
                    conn.execute(
                        feedback_table.update()
                        .where(feedback_table.c.id == existing[0])
                        .values(rating=rating, comment=comment, updated=now)
                    )
                    return int(existing[0])
                try:
                    with conn.begin_nested():
                        result = conn.execute(
                            feedback_table.insert().values(
                                answer_id=answer_id,
                                key=key,
                                rating=rating,
                                comment=comment,
                                created=now,
                                updated=now,
                            )
                        )
                    return int(result.inserted_primary_key[0])  # type: ignore[index]
                except IntegrityError:  # the same key voted on another host a moment ago
                    continue
        raise StoreUnavailableError(UNAVAILABLE)

    # -- the operator console: corpus changes, answers in a period, review marks ----------------

    def record_change(self, doc_id: str, action: str, who: str, detail: dict[str, Any]) -> int:
        """One change to the corpus (upload, replace, retire, reindex): who, when, what. The
        corpus generation moves on in the same transaction (every worker and host sharing this
        store then reloads its index, see `corpus_generation`); return the new generation."""
        now = time.time()
        with self._connection(write=True) as conn:
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
            return int(conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar_one())

    def corpus_generation(self) -> int:
        """How many corpus changes the store has seen: one indexed single-row read, cheap enough
        for every worker to poll (the service does so at most every few seconds)."""
        table = corpus_generation_table
        with self._connection() as conn:
            value = conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar()
        return int(value or 0)

    def changes(self, doc_id: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Corpus changes, newest first."""
        query = sa.select(corpus_changes_table).order_by(corpus_changes_table.c.id.desc()).limit(limit)
        if doc_id is not None:
            query = query.where(corpus_changes_table.c.doc_id == doc_id)
        with self._connection() as conn:
            rows = conn.execute(query).all()
        out = []
        for row in rows:
            item = dict(row._mapping)
            item["detail"] = json.loads(item["detail"])
            out.append(item)
        return out

    def answers_between(
        self, since: float | None = None, until: float | None = None, limit: int = 20_000
    ) -> list[dict[str, Any]]:
        """Logged answers created in [since, until), newest first, each with its votes
        (`ratings`) and the operator's mark (`review`, or None)."""
        query = sa.select(answers_table).order_by(answers_table.c.created.desc()).limit(limit)
        if since is not None:
            query = query.where(answers_table.c.created >= since)
        if until is not None:
            query = query.where(answers_table.c.created < until)
        with self._connection() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query).all()]
            ids = [r["answer_id"] for r in rows]
            votes: dict[str, list[dict[str, Any]]] = {}
            marks: dict[str, dict[str, Any]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for answer_id, rating, comment in conn.execute(
                    sa.select(feedback_table.c.answer_id, feedback_table.c.rating, feedback_table.c.comment)
                    .where(feedback_table.c.answer_id.in_(chunk))
                    .order_by(feedback_table.c.id)
                ):
                    votes.setdefault(answer_id, []).append({"rating": rating, "comment": comment})
                for mark in conn.execute(
                    sa.select(answer_reviews_table).where(answer_reviews_table.c.answer_id.in_(chunk))
                ):
                    marks[mark.answer_id] = dict(mark._mapping)
        for row in rows:
            row["citations"] = json.loads(row["citations"])
            row["flags"] = json.loads(row["flags"])
            row["ratings"] = votes.get(row["answer_id"], [])
            row["review"] = marks.get(row["answer_id"])
        return rows

    def mark_answer(self, answer_id: str, outcome: str, note: str, who: str) -> dict[str, Any]:
        """Record an operator's verdict on a logged answer (a later mark replaces it)."""
        now = time.time()
        with self._connection(write=True) as conn:
            if not self._logged(conn, answer_id):
                raise NotFoundError(f"没有编号为 {answer_id} 的回答，无法标注")
            conn.execute(answer_reviews_table.delete().where(answer_reviews_table.c.answer_id == answer_id))
            values = {"answer_id": answer_id, "outcome": outcome, "note": note, "who": who, "updated": now}
            conn.execute(answer_reviews_table.insert().values(**values))
        return values
