"""`lianxin official bind-code` and `lianxin card` as subprocesses, WeChat's API on loopback."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import BindingCode
from tests.conversation.conftest import make_settings
from tests.fake_wechat import FakeWeChat


def _run(env, *args):  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True)


def test_bind_code_prints_code_and_masks_phone(cli_env, roster):
    out = _run(cli_env, "official", "bind-code", "13812340001")
    assert out.returncode == 0, out.stderr
    code = out.stdout.strip()
    assert len(code) == 6 and code.isdigit()
    assert "13812340001" not in out.stderr and "138****0001" in out.stderr
    assert _run(cli_env, "official", "bind-code", "13800000000").returncode == 1


def test_card_asks_wechat_once_for_a_permanent_qr_code(cli_env, roster, database_url, tmp_path):
    with FakeWeChat() as fake:
        env = dict(cli_env, WECHAT_API_BASE_URL=fake.base_url, WECHAT_APP_ID=fake.app_id,
                   WECHAT_APP_SECRET=fake.app_secret)
        pdf = tmp_path / "card.pdf"
        first = _run(env, "card", "张三", "--out", str(pdf))
        assert first.returncode == 0, first.stderr
        assert pdf.read_bytes().startswith(b"%PDF")
        again = _run(env, "card", "张三", "--out", str(pdf))
        assert again.returncode == 0, again.stderr
        created = fake.calls("/cgi-bin/qrcode/create")
    assert len(created) == 1
    rt = Runtime(make_settings(database_url))
    with rt.sessions() as s:
        code = s.scalars(select(BindingCode).where(BindingCode.person_id == roster.persons["张三"])).one()
        assert code.qr_url
    rt.dispose()


def test_card_without_wechat_prints_the_code(cli_env, roster, tmp_path):
    out = _run(cli_env, "card", "李四", "--out", str(tmp_path / "c.pdf"))
    assert out.returncode == 0, out.stderr
    assert "绑定" in out.stdout
