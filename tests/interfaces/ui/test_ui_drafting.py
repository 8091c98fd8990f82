"""The 起草 tab's catalogue search and instance form (assistant/interfaces/ui/drafting.py) in an
edition whose scenario names the library does not hold (2024): what the user types is offered
in the right dropdown, and a 场景 alone is not accepted where it cannot decide the 环节."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.drafting import parse_spec
from assistant.interfaces.ui.common import Outputs
from assistant.interfaces.ui.drafting import DraftHandlers
from assistant.service import AssistantService


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> DraftHandlers:
    settings = Settings(
        dense_weight=0, data_dir=tmp_path_factory.mktemp("draft-ui"), chroma_url=None, llm_base_url=None
    )
    return DraftHandlers(AssistantService.from_settings(settings), Outputs())


def test_segment_candidates_are_offered_in_the_segment_dropdown(handlers: DraftHandlers) -> None:
    """Issue #27: "AI质检" in the 2024 round suggested 环节 names "in the 场景 dropdown", which
    stayed empty; they are now listed first in the 环节 dropdown, and the note says so."""
    scenario, segment, note = handlers.match_scenario("AI质检", "2024")
    assert scenario["value"] == "AI质检"  # the user's words, unchecked, kept
    assert [value for _, value in segment["choices"][:3]] == ["生产作业", "质量管控", "设备管理"]
    assert segment["value"] is None and "“环节”下拉框" in note and "“场景”下拉框" not in note


def test_a_scenario_alone_is_refused_where_it_cannot_decide_the_segment(handlers: DraftHandlers) -> None:
    with pytest.raises(gr.Error, match="环节"):
        handlers.add_instance([], "AI质检", None, "螺栓拧紧AI判定", "", "", "", "2024")
    added = handlers.add_instance([], "AI质检", "质量管控", "螺栓拧紧AI判定", "", "", "", "2024")
    assert added[0] == [{"instance_name": "螺栓拧紧AI判定", "segment": "质量管控", "scenario": "AI质检"}]
    added = handlers.add_instance([], "在线智能检测", None, "螺栓拧紧AI判定", "", "", "", "2025")
    assert added[0][0]["scenario"] == "在线智能检测"  # 2025 names its 环节 itself


def test_the_draft_says_which_words_became_a_draft_guide_name(handlers: DraftHandlers) -> None:
    """The draft writes 在线智能检测 where the form showed AI质检: the note names both."""
    spec = json.loads((REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))
    spec.update(edition="2024", round="2024")
    spec["scenarios"] = [{"segment": "质量管控", "scenario": "AI质检", "instance_name": "螺栓拧紧AI判定"}]
    draft = handlers.desk.draft(parse_spec(spec))
    assert draft.instances[0].line == "质量管控—在线智能检测—螺栓拧紧AI判定"
    notes = [f.message for f in draft.checks if f.code == "draft_edition_name"]
    assert any("“AI质检”" in note and "在线智能检测" in note for note in notes), notes
