from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from liaison.cli.common import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _app_command(port: int, headless: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        str(headless).lower(),
        "--browser.gatherUsageStats",
        "false",
    ]


PORT_HELP = "Port to serve the app on (default: LIAISON_PORT, else 8501)."


def _port(given: int | None) -> int:
    """`--port` wins over LIAISON_PORT; the choice is passed on to the processes started
    here, so the scheduler's links point where the app really is."""
    port = given if given is not None else load_settings().port
    os.environ["LIAISON_PORT"] = str(port)
    return port


def serve(
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help=PORT_HELP),
    headless: bool = typer.Option(True),
) -> None:
    """Start the Streamlit app only (app.py, served through st.App)."""
    load_settings()
    os.execvp(sys.executable, _app_command(_port(port), headless))


def scheduler() -> None:
    """Run the scheduler only (the same as `python scheduler.py`)."""
    load_settings()
    os.execvp(sys.executable, [sys.executable, str(ROOT / "scheduler.py")])


def start(
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help=PORT_HELP),
) -> None:
    """The app and the scheduler together; Ctrl-C stops both."""
    load_settings()
    port = _port(port)
    print(
        f"Liaison at http://localhost:{port} (Ctrl-C stops the app and the scheduler)", flush=True
    )
    children = [
        subprocess.Popen([sys.executable, str(ROOT / "scheduler.py")]),
        subprocess.Popen(_app_command(port, headless=True)),
    ]
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    code = max((child.returncode or 0) for child in children)
    raise typer.Exit(0 if code in (0, -signal.SIGTERM) else code)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("scheduler")(scheduler)
    app.command("start")(start)
