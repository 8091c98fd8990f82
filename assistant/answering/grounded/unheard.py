"""Silence for a requirement the documents never mention: "需要附审计报告吗", "要去北京答辩吗".

Retrieval always finds something, so a yes/no question about a requirement no document names
would be answered by the nearest clause as if it settled it. When the thing asked about holds a
word no document contains, in any form (a word is taken as said when it, or each of its
two-character pieces, appears in the corpus: "评估报告" is said by "评估结果…报告"), and no
synonym maps it to the documents' words, the documents are silent on it, and the answer says so
first, in the asker's words, before the nearest rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.language import segments

#: "需要/要不要/是否要/必须 <thing> 吗？": whether something is required.
REQUIRED = re.compile(
    r"(?:需不需要|要不要|用不用|是否需要|是否要|必须|需要|得|要)(?P<thing>[^，。；？?!！]{2,24}?)"
    r"(?:吗|么|嘛)?[？?。]*$"
)
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
#: A yes/no question: asked by 吗/么/嘛 or by an A-not-A form, and not for a number or a choice.
_YES_NO = re.compile(r"[吗么嘛][？?。]*$|需不需要|要不要|用不用|是否")
_NOT_YES_NO = re.compile(r"几|多少|什么|哪|怎么|如何|谁")
#: Adverbs jieba leaves on a verb ("先评"): not part of what is asked about.
_ADVERBS = re.compile(r"^[先再都也还就又才去来]")


def _said(word: str, corpus_text: str) -> bool:
    if word in corpus_text:
        return True
    pieces = [word[i : i + 2] for i in range(0, len(word) - 1, 2)]
    return len(word) > 2 and all(piece in corpus_text for piece in pieces) and word[-1] in corpus_text


def unheard_requirement(
    question: str, corpus_text: str, words: Callable[[str], list[str]], mapped: Callable[[str], str]
) -> str | None:
    """The thing a yes/no question asks to be required, when the documents never mention it;
    None when it is not such a question or the documents use its words."""
    parts = segments(question)
    if not parts:
        return None
    asked = parts[-1].strip()
    match = REQUIRED.search(asked)
    if match is None or not _YES_NO.search(asked) or _NOT_YES_NO.search(asked):
        return None
    thing = match.group("thing").strip("的了在")
    unheard = [
        word
        for word in (_ADVERBS.sub("", w) for w in words(thing))
        if _HAN.fullmatch(word) and not _said(word, corpus_text) and not mapped(word).strip()
    ]
    return thing if unheard else None
