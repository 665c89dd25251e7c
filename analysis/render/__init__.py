"""Renderers: pure functions from a report or graph to a string. They compute nothing."""

from analysis.render.diagram import render_dot, render_mermaid
from analysis.render.json import render_json
from analysis.render.text import render_text

__all__ = ["render_dot", "render_json", "render_mermaid", "render_text"]
