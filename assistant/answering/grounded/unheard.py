"""Silence for a requirement the documents never mention: "需要附审计报告吗", "要去北京答辩吗".

Retrieval always finds something, so a yes/no question about a requirement no document names
would be answered by the nearest clause as if it settled it. The thing asked about is read
against the documents' own text: every stretch of it (two characters or more) that the
documents contain, or that the synonym table maps to their words, is set aside; when what is
left holds a noun or a verb (by jieba's part-of-speech tags: not a pronoun, an adverb or an idiom
such as "一样", "先后"), the documents are silent on it, and the answer says so first, in the
asker's words, before the nearest rule.
"""

from __future__ import annotations

import re
from collections.abc import Container

from assistant.language import segments

#: "需要/要不要/是否要/必须 <thing> 吗？": whether something is required.
REQUIRED = re.compile(
    r"(?:需不需要|要不要|用不用|是否需要|是否要|必须|需要|得|要(?!是))(?P<thing>[^，。；？?!！]{2,24}?)"
    r"(?:吗|么|嘛)?[？?。]*$"
)
#: A yes/no question: asked by 吗/么/嘛 or by an A-not-A form, and not for a number or a choice.
_YES_NO = re.compile(r"[吗么嘛][？?。]*$|需不需要|要不要|用不用|是否")
_NOT_YES_NO = re.compile(r"几|多少|什么|哪|怎么|如何|谁")
#: jieba's tags of words that can name a requirement: nouns, verbs, verbal nouns.
_CONTENT_TAGS = ("n", "v")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _unsaid(thing: str, corpus_text: str, synonyms: Container[str]) -> list[str]:
    """The stretches of `thing` the documents do not contain: the longest said stretch at each
    position is set aside, what is left is returned."""
    left: list[str] = []
    run, i = "", 0
    while i < len(thing):
        end = next(
            (j for j in range(len(thing), i + 1, -1) if thing[i:j] in corpus_text or thing[i:j] in synonyms),
            None,
        )
        if end is None:
            run += thing[i]
            i += 1
            continue
        left.append(run)
        run, i = "", end
    left.append(run)
    return [r for r in left if _HAN.search(r)]


def _names_something(stretch: str) -> bool:
    import jieba.posseg

    return any(
        len(pair.word) >= 2 and pair.flag.startswith(_CONTENT_TAGS) for pair in jieba.posseg.cut(stretch)
    )


def unheard_requirement(question: str, corpus_text: str, synonyms: Container[str]) -> str | None:
    """The thing a yes/no question asks to be required, when the documents never mention it;
    None when it is not such a question or the documents use its words."""
    parts = segments(question)
    if not parts:
        return None
    asked = parts[-1].strip()
    match = REQUIRED.search(asked)
    if match is None or not _YES_NO.search(asked) or _NOT_YES_NO.search(asked):
        return None
    # "必须评吗": the lazy group may take the particle; one character left names nothing.
    thing = match.group("thing").rstrip("吗么嘛").strip("的了在")
    if len(thing) < 2:
        return None
    unsaid = _unsaid(thing, corpus_text, synonyms)
    return thing if any(_names_something(stretch) for stretch in unsaid) else None
