"""The review queue over the answer log: what users were told that an operator should read
(refused, thumbs-down, LLM fallbacks, verdicts corrected), the operator's mark on each, and the
queue as an XLSX workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from assistant.console.periods import day_bounds, iso
from assistant.errors import InputError
from assistant.store import AnswerLog
from assistant.vocabulary import THUMBS_DOWN_MAX, rating_word
from assistant.xlsx import append_row

#: What puts an answer in the review queue, with the label an operator sees.
QUEUE_KINDS: dict[str, str] = {
    "refused": "拒答",
    "thumbs_down": "用户点踩",
    "llm_fallback": "大模型失败回退",
    "verdict_overridden": "结论被核验纠正",
}
#: How an operator marks a queued answer.
OUTCOMES: dict[str, str] = {"correct": "回答正确", "wrong": "回答错误", "missing_document": "缺少文件"}


class ReviewQueue:
    """The answers to review, operators' marks on them, and their export."""

    def __init__(self, answers: AnswerLog) -> None:
        self.answers = answers

    @staticmethod
    def _kinds(answer: dict[str, Any]) -> list[str]:
        kinds = [
            flag for flag in ("refused", "llm_fallback", "verdict_overridden") if flag in answer["flags"]
        ]
        if any(vote["rating"] <= THUMBS_DOWN_MAX for vote in answer["ratings"]):
            kinds.append("thumbs_down")
        return kinds

    def queue(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        kinds: Sequence[str] = (),
        *,
        include_marked: bool = True,
    ) -> list[dict[str, Any]]:
        """Answers to review, newest first: refused, thumbs-down, LLM fallback, verdict
        overridden; `kinds` narrows to some of them, `since`/`until` to days (inclusive)."""
        unknown = [k for k in kinds if k not in QUEUE_KINDS]
        if unknown:
            raise InputError(f"未知的复核类别：{'、'.join(unknown)}；可选：{'、'.join(QUEUE_KINDS)}")
        wanted = set(kinds or QUEUE_KINDS)
        items = []
        for answer in self.answers.between(*day_bounds(since, until)):
            found = self._kinds(answer)
            if not wanted.intersection(found) or (answer["review"] and not include_marked):
                continue
            review = answer["review"]
            items.append(
                {
                    "answer_id": answer["answer_id"],
                    "asked": iso(answer["created"]),
                    "question": answer["question"],
                    "lead": answer["lead"],
                    "intent": answer["intent"],
                    "edition": answer["edition"],
                    "kinds": found,
                    "ratings": [v["rating"] for v in answer["ratings"]],
                    "comments": [v["comment"] for v in answer["ratings"] if v["comment"]],
                    "citations": answer["citations"],
                    "review": None
                    if review is None
                    else {
                        "outcome": review["outcome"],
                        "note": review["note"],
                        "who": review["who"],
                        "when": iso(review["updated"]),
                    },
                }
            )
        return items

    def mark(self, answer_id: str, outcome: str, note: str, who: str) -> dict[str, Any]:
        if outcome not in OUTCOMES:
            raise InputError(f"未知的复核结论：{outcome}；可选：{'、'.join(OUTCOMES)}")
        saved = self.answers.mark(answer_id, outcome, note.strip(), who)
        return {
            "answer_id": answer_id,
            "outcome": outcome,
            "note": saved["note"],
            "who": who,
            "when": iso(saved["updated"]),
        }

    def export(self, items: Sequence[dict[str, Any]]) -> bytes:
        """The queue as an XLSX workbook, one row per answer, headers in Chinese."""
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "复核队列"
        append_row(
            sheet,
            [
                "回答编号",
                "提问时间",
                "问题",
                "回答要点",
                "问题类别",
                "批次",
                "复核原因",
                "评分",
                "意见",
                "复核结论",
                "复核说明",
                "复核人",
                "复核时间",
            ],
        )
        for item in items:
            review = item["review"] or {}
            append_row(
                sheet,
                [
                    item["answer_id"],
                    item["asked"],
                    item["question"],
                    item["lead"],
                    item["intent"],
                    item["edition"],
                    "、".join(QUEUE_KINDS[k] for k in item["kinds"]),
                    "、".join(rating_word(r) for r in item["ratings"]),
                    "；".join(item["comments"]),
                    OUTCOMES.get(review.get("outcome", ""), ""),
                    review.get("note", ""),
                    review.get("who", ""),
                    review.get("when", ""),
                ],
            )
        for column, width in zip(
            "ABCDEFGHIJKLM", (34, 22, 40, 60, 16, 8, 20, 8, 30, 12, 30, 14, 22), strict=True
        ):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
