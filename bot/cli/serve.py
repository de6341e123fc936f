"""`lianxin serve` (web), `lianxin up` (web + scheduler, the embedded default)."""

from __future__ import annotations

import signal
import subprocess
import sys

import click

from bot.cli import CliState, pass_state


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_state
def serve(state: CliState, host: str, port: int, threads: int) -> None:
    """Serve the webhook and dashboard (single process; use gunicorn in production)."""
    from bot.app import create_app
    from bot.cli.keys import require_data_key

    require_data_key(state)

    app = create_app(runtime=state.runtime)  # loads the parser's dictionaries once
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_state
def up(state: CliState, host: str, port: int) -> None:
    """Migrate, then run the web server and the scheduler together until Ctrl-C."""
    from bot.cli.keys import require_data_key
    from storage.migrate import upgrade

    require_data_key(state)
    upgrade(state.runtime.engine)
    settings = state.runtime.settings
    click.echo(
        "\n连心已启动（嵌入式默认：SQLite 文件）\n"
        f"  数据库：  {settings.database_url}\n"
        f"  Webhook： http://{host}:{port}/wechat\n"
        f"  健康检查：http://{host}:{port}/healthz\n"
        f"  管理后台：http://{host}:{port}/admin\n"
        "试一试（另开一个终端）：\n"
        "  .venv/bin/lianxin chat                     # 以专职委员身份对话\n"
        "  .venv/bin/lianxin chat --as household      # 以家属身份对话\n"
        "按 Ctrl-C 停止。\n"
    )
    lianxin = [sys.executable, "-m", "bot.cli"]
    procs = [
        subprocess.Popen([*lianxin, "scheduler"]),
        subprocess.Popen([*lianxin, "serve", "--host", host, "--port", str(port)]),
    ]
    try:
        while all(p.poll() is None for p in procs):
            try:
                procs[1].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    codes = [p.returncode for p in procs]
    sys.exit(0 if all(c in (0, -signal.SIGTERM, None) for c in codes) else 1)


COMMANDS = [serve, up]

