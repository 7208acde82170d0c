"""``opencsp serve`` and ``opencsp demo``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from opencsp.cli.support import out
from opencsp.core.config import settings
from opencsp.demo import load

serve_app = typer.Typer(help="Serve the API and the console.", add_completion=False)
demo_app = typer.Typer(help="Create, load and serve the demo.", add_completion=False)


def _serve(host: str, port: int, workers: int, *, access_log: bool = True) -> None:
    uvicorn.run(
        "opencsp.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=access_log,
    )


@serve_app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    access_log: bool = typer.Option(
        True,
        "--access-log/--no-access-log",
        help="Log one line per request (off: less CPU per request under load; errors "
        "are still logged).",
    ),
) -> None:
    """Serve /v1 (API), /docs, /openapi.json and the console at /, on OPENCSP_DATABASE_URL."""
    out.print(f"serving {settings().effective_database_url} on http://{host}:{port}")
    _serve(host, port, workers, access_log=access_log)


@demo_app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where the demo lives."),
    load_only: bool = typer.Option(False, "--load-only", help="Load, write credentials, exit."),
) -> None:
    """Create DIR/opencsp.db if missing, migrate, load the demo data once, write
    DIR/demo-credentials.json and serve API and console."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["OPENCSP_DATA_DIR"] = str(data_dir)
    os.environ["OPENCSP_DATABASE_URL"] = f"sqlite:///{data_dir / 'opencsp.db'}"
    settings.cache_clear()
    result = load.prepare(data_dir)
    out.print(result.summary())
    out.print(
        f"\nconsole  http://{host}:{port}/\napi      http://{host}:{port}/v1/\n"
        f"docs     http://{host}:{port}/docs\n"
        f"credentials: {result.credentials_file}"
    )
    if not load_only:
        _serve(host, port, 1)
