"""The answer log and what is said about it: users' feedback and operators' review marks.

What a helpdesk and the operator console read. Apart from the sessions because none of it needs
a session (a sessionless answer is logged too) and it grows with the console, not the
conversation. A turn with a session writes its log row inside the session's transaction
(`Sessions.record_turn` calls `insert`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assistant.errors import NotFoundError, StoreUnavailableError
from assistant.store.database import UNAVAILABLE, Database
from assistant.store.schema import answer_reviews_table, answers_table, feedback_table

#: Ids read per IN (...) query: well below every database's limit on bound parameters.
_CHUNK = 500


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


def _decoded(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["citations"] = json.loads(out["citations"])
    out["flags"] = json.loads(out["flags"])
    return out


class AnswerLog:
    """Log answers, take feedback (one vote per answer and key) and operators' marks."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def insert(conn: Connection, record: AnswerRecord) -> None:
        """Add the row in a transaction the caller holds (a session's turn)."""
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

    def log(self, record: AnswerRecord) -> None:
        """Add an answer given outside a session."""
        with self.db.connection(write=True) as conn:
            self.insert(conn, record)

    @staticmethod
    def _logged(conn: Connection, answer_id: str) -> bool:
        query = sa.select(answers_table.c.answer_id).where(answers_table.c.answer_id == answer_id)
        return conn.execute(query).first() is not None

    def get(self, answer_id: str) -> dict[str, Any] | None:
        """One logged answer with its feedback (one entry per key), or None."""
        with self.db.connection() as conn:
            row = conn.execute(sa.select(answers_table).where(answers_table.c.answer_id == answer_id)).first()
            if row is None:
                return None
            votes = conn.execute(
                sa.select(feedback_table.c.key, feedback_table.c.rating, feedback_table.c.comment)
                .where(feedback_table.c.answer_id == answer_id)
                .order_by(feedback_table.c.id)
            ).all()
        out = _decoded(row)
        out["feedback"] = [{"key": k, "rating": r, "comment": c} for k, r, c in votes]
        return out

    def add_feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per (answer, key): a second vote replaces the first. Unknown answer → 404."""
        key = key or "anonymous"
        now = time.time()
        for _attempt in range(2):
            with self.db.connection(write=True) as conn:
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

    def between(
        self, since: float | None = None, until: float | None = None, limit: int = 20_000
    ) -> list[dict[str, Any]]:
        """Logged answers created in [since, until), newest first, each with its votes
        (`ratings`) and the operator's mark (`review`, or None)."""
        query = sa.select(answers_table).order_by(answers_table.c.created.desc()).limit(limit)
        if since is not None:
            query = query.where(answers_table.c.created >= since)
        if until is not None:
            query = query.where(answers_table.c.created < until)
        with self.db.connection() as conn:
            rows = [_decoded(r) for r in conn.execute(query).all()]
            ids = [r["answer_id"] for r in rows]
            votes: dict[str, list[dict[str, Any]]] = {}
            marks: dict[str, dict[str, Any]] = {}
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
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
            row["ratings"] = votes.get(row["answer_id"], [])
            row["review"] = marks.get(row["answer_id"])
        return rows

    def mark(self, answer_id: str, outcome: str, note: str, who: str) -> dict[str, Any]:
        """Record an operator's verdict on a logged answer (a later mark replaces it)."""
        now = time.time()
        with self.db.connection(write=True) as conn:
            if not self._logged(conn, answer_id):
                raise NotFoundError(f"没有编号为 {answer_id} 的回答，无法标注")
            conn.execute(answer_reviews_table.delete().where(answer_reviews_table.c.answer_id == answer_id))
            values = {"answer_id": answer_id, "outcome": outcome, "note": note, "who": who, "updated": now}
            conn.execute(answer_reviews_table.insert().values(**values))
        return values
