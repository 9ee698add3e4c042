from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from crm.cli.common import load_settings

ROOT = Path(__file__).resolve().parents[2]


def serve(port: int = typer.Option(8501, "--port"), headless: bool = typer.Option(True)) -> None:
    """Start the Streamlit app (app.py, served through st.App)."""
    load_settings()
    os.execvp(sys.executable, [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.port", str(port), "--server.headless", str(headless).lower(),
        "--browser.gatherUsageStats", "false",
    ])


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
