"""The files of one corpus change (console/edits.py): written beside their targets first, put
in place by renames, and undone byte for byte; a reader loading the corpus meanwhile always
finds a whole corpus, the old one or the new one."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.config import REPO_ROOT
from assistant.console.edits import FileEdits
from assistant.knowledge.corpus import load_corpus
from tests.interfaces.api.test_admin import snapshot

NOTICE = (REPO_ROOT / "corpus" / "notice.md").read_bytes()
FORM = (REPO_ROOT / "corpus" / "form.md").read_bytes()


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "notice.md").write_bytes(NOTICE)
    (root / "form.md").write_bytes(FORM)
    return root


def test_undo_puts_every_file_back_byte_for_byte(tmp_path: Path) -> None:
    root = folder(tmp_path)
    before = snapshot(root)
    edits = FileEdits(root)
    edits.write("notice.md", NOTICE.replace("申报".encode(), "报送".encode()))
    edits.write("retired/form.md", FORM.replace(b"status: official", b"status: retired"))
    edits.remove("form.md")
    edits.prepare()
    assert snapshot(root) != before and (root / "retired").is_dir()  # written beside, not in place
    assert load_corpus(root).document("form") is not None
    edits.apply()
    assert load_corpus(root).document("form") is None
    edits.undo()
    assert snapshot(root) == before and not (root / "retired").exists()


def test_finish_leaves_only_the_new_files(tmp_path: Path) -> None:
    root = folder(tmp_path)
    edits = FileEdits(root)
    new = NOTICE.replace("申报".encode(), "报送".encode())
    edits.write("notice.md", new)
    edits.remove("form.md")
    edits.prepare()
    edits.apply()
    edits.finish()
    assert snapshot(root) == {"notice.md": new}


def test_a_reader_never_finds_a_replaced_document_missing(tmp_path: Path) -> None:
    """A worker reloading while an operator's replacement commits sees the old document or the
    new one, never none: the old file keeps a second name before the new one is renamed over it."""
    root = folder(tmp_path)
    stop = threading.Event()
    seen: list[str] = []

    def read() -> None:
        while not stop.is_set():
            try:
                corpus = load_corpus(root)
                seen.append("whole" if corpus.document("notice") else "missing")
            except Exception as exc:
                seen.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for turn in range(300):
            edits = FileEdits(root)
            edits.write("notice.md", NOTICE + f"\n补充说明{turn}。\n".encode())
            edits.prepare()
            edits.apply()
            edits.finish()
    finally:
        stop.set()
        reader.join(30)
    assert seen and set(seen) == {"whole"}, sorted(set(seen))[:3]
