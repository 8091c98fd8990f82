"""Chinese text handling for retrieval: normalisation, synonym expansion, tokenisation.

Two token streams feed BM25:

- words: jieba, with a user dictionary of the corpus's own domain terms (tiers, links, 环节 and
  scenario names, KPI names) so "卓越级智能工厂" or "在线智能检测" are not split apart;
- character bigrams: a fallback so a typo ("卓越极") or a partial term still shares most of its
  bigrams with the clause it means.

Synonyms come from corpus/data/synonyms.yaml: what users say → the words the documents use.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cachetools import LRUCache

from assistant.knowledge.datafile import read_yaml

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TOKEN_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
# Function words and question words that carry no retrieval signal.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 是 在 和 与 及 或 等 有 要 会 能 可以 可 都 也 就 还 对 把 被 给 让 "
    "我 我们 你 你们 他 她 它 咱 咱们 这 那 这个 那个 哪 哪些 什么 怎么 怎么样 如何 多少 几 "
    "请问 一下 一个 是否 需要 应该 应当 必须 请 想 问 问下 知道 告诉 啥 咋 嘛 呗 哦 嗯 "
    "有没有 能不能 可不可以 是不是 算不算 要不要 哪个 哪儿 哪里 具体 里 上 中 吧 呢 "
    "一些 这些 那些 还是 或者 以及 然后 现在 目前 如果 的话 因为 所以 但是".split()
)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower-case Latin, unify dashes and whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[—–－]", "-", text)
    text = re.sub(r"\s+", " ", text)
    return text.lower().strip()


class Synonyms:
    """User phrasing → document phrasing, applied by appending the document's words to a query."""

    def __init__(self, mapping: dict[str, list[str]]) -> None:
        # Longest user phrase first so "分公司" wins over "公司".
        self._pairs = sorted(
            ((normalise(k), [normalise(v) for v in vs]) for k, vs in mapping.items()),
            key=lambda kv: -len(kv[0]),
        )
        # A Latin phrase (ai, mes, erp) counts only as a whole Latin word: "ai" is not inside
        # "email", nor inside keyboard mash like "nbudlzaiy".
        self._latin = {
            phrase: re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])")
            for phrase, _ in self._pairs
            if phrase.isascii() and phrase.isalpha()
        }

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        """The table in a synonyms.yaml, parsed once per version of the file (every index load
        reads it); none when there is no such file."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return cls({})
        return _synonyms_from(path, stat.st_mtime_ns, stat.st_size)

    def __contains__(self, phrase: object) -> bool:
        """Whether `phrase` is one of the users' phrases the table maps."""
        return isinstance(phrase, str) and any(normalise(phrase) == key for key, _ in self._pairs)

    def vocabulary(self) -> list[str]:
        """Every document term the table can expand to, each once."""
        return list(dict.fromkeys(t for _, targets in self._pairs for t in targets))

    def expand(self, query: str) -> str:
        """The document terms of every user phrase found in the query ("" when none): scored
        apart from the query itself, with a lower weight, so an expansion can lift a clause the
        user's own words missed without outvoting the words they did use."""
        return " ".join(self.terms(query))

    def terms(self, query: str) -> list[str]:
        """``expand`` as a list: each item is one of the table's document terms, so the dense side
        can embed each once per worker (Index.expansion_vector)."""
        extra: list[str] = []
        remaining = query
        for phrase, targets in self._pairs:
            latin = self._latin.get(phrase)
            if latin is not None:
                remaining, found = latin.subn("\x00", remaining)
            elif phrase in remaining:
                # Mask the match so "公司" does not fire again inside "分公司".
                remaining, found = remaining.replace(phrase, "\x00"), 1
            else:
                found = 0
            if found:
                extra.extend(t for t in targets if t not in query and t not in extra)
        return extra


@lru_cache(maxsize=4)
def _synonyms_from(path: Path, mtime_ns: int, size: int) -> Synonyms:
    """A Synonyms table is never changed once built, so indexes over one version of a file share
    one (a broken file raises each time: errors are not cached)."""
    data = read_yaml(path, required=False)
    return Synonyms({str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in data.items()})


#: Texts whose jieba words a tokenizer keeps (clauses, headings, recent queries).
WORDS_CACHE_SIZE = 8192


class Tokenizer:
    """jieba words (with the corpus's domain terms) plus character bigrams.

    ``words`` is memoised (an LRU per tokenizer): a BM25 rebuild, at start-up, after an upload or
    on a worker's corpus reload, cuts mostly the clauses it cut before, and jieba is most of the
    cost of a rebuild. The dictionary is fixed once built, so a text always gives the same words.
    """

    def __init__(self, domain_terms: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in domain_terms:
            term = normalise(term)
            if len(term) >= 2:
                self._jieba.add_word(term, freq=None)
        self._words: LRUCache[str, tuple[str, ...]] = LRUCache(maxsize=WORDS_CACHE_SIZE)
        self._words_lock = threading.Lock()  # LRUCache is not thread-safe; searches run in threads

    def words(self, text: str) -> list[str]:
        with self._words_lock:
            cached = self._words.get(text)
        if cached is None:
            cached = tuple(self._cut(text))
            with self._words_lock:
                self._words[text] = cached
        return list(cached)

    def _cut(self, text: str) -> list[str]:
        text = normalise(text)
        out = []
        # Search mode emits long domain terms *and* their sub-words: a user dictionary alone
        # (plain lcut) keeps "卓越级智能工厂" whole and then misses a question saying "卓越级".
        for token in self._jieba.lcut_for_search(text):
            token = token.strip()
            if not token or token in STOPWORDS or not _TOKEN_RUN.fullmatch(token):
                continue
            out.append(token)
        return out

    @staticmethod
    def bigrams(text: str) -> list[str]:
        text = normalise(text)
        grams: list[str] = []
        for run in _TOKEN_RUN.findall(text):
            if _CJK.match(run):
                if len(run) == 1:
                    grams.append(run)
                grams.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                grams.append(run)
        return grams


@lru_cache(maxsize=4)
def cached_tokenizer(terms: tuple[str, ...]) -> Tokenizer:
    """jieba's dictionary takes about a second to load: share one tokenizer per term set."""
    return Tokenizer(terms)
