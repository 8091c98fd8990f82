"""The web UI (Gradio): ``app.mount_ui`` puts it on the API's app; ``python -m
assistant.interfaces.ui`` runs it alone.

Modules: ``app`` (entry points), ``layout`` (the Blocks), ``handlers`` (events -> service),
``forms`` (form <-> JSON), ``format`` (HTML fragments), ``static/`` (the CSS and page script).
"""

import os

# Must precede any gradio import (every module of this package imports gradio after this
# package's __init__ has run): gradio reads it when deciding whether to phone home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
